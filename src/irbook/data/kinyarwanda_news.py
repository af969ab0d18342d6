"""The ``kinyarwanda-news`` data set: 183 Kinyarwanda news articles from IGIHE, one UTF-8 text file each, named
by the article's slug (its headline, lower-cased, words joined by hyphens), as collected in
Kinyarwanda-NLP/kinyarwandaTexts (``DATA/texts/``). Every file is pinned by size and sha256.

:func:`load_kinyarwanda_news` returns :class:`NewsArticle` records: the headline rebuilt from the slug and the
article's paragraphs (blank lines split them; a paragraph repeated verbatim, as the site's lead often is, is kept
once).

Introduced in chapter 2 (:doc:`02_kinyacolbert`).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from irbook.data.registry import DatasetInfo, data_path, github_files, register

__all__ = ["NewsArticle", "load_kinyarwanda_news", "KINYARWANDA_NEWS_FILES"]

_REPO = ("Kinyarwanda-NLP/kinyarwandaTexts", "b25496c")

# (file name, sha256, size), computed with sha256sum / stat on the book's mirror of the pinned commit.
KINYARWANDA_NEWS_FILES: tuple[tuple[str, str, int], ...] = (
    ("2019-umwaka-w-amahirwe-ku-biraburakazi-uko-bakomeje-guhesha-ikuzo-afurika-mu.txt", "8485a7450981e12f0f27ea56be070535e406e2f8f6a41d88231d813a74e2f655", 4802),
    ("250startups-yasinye-amasezerano-y-ubufatanye-na-ur-agamije-gufasha-abanyeshuri.txt", "ec7eb0cfb9874c6a1e573efdf7ba960bd1906cb731493211ccb328d09af1b6e7", 3230),
    ("abafana-ba-manchester-united-mu-rwanda-bahaye-inkunga-ababyeyi-b-abana-bafite.txt", "e041eccdf2119d3a850854d57c14ac1ef879178c0c93926bb217e8679828b444", 2608),
    ("abahinzi-bahawe-icyizere-ku-igabanuka-ry-igiciro-cy-imbuto-n-inyongeramusaruro.txt", "d6a76b431633dc443aa1379b9cb543dc96f8fa7169ce05542027ba45ea8b97ae", 3559),
    ("abakandida-14-bahataniye-gusimbura-mu-nteko-nyirarukundo-wagizwe-umunyamabanga.txt", "9896efdabd99325c2b737e190404accf4d7d2e8f7341045f464e86c5d8e3cc05", 3100),
    ("abakobwa-bari-guhatanira-miss-career-africa-2019-batangiye-umwiherero-amafoto.txt", "17fcd090541581459a5d8839eff71831b2ff2cbb97358234fa4e65b0f2c37654", 3018),
    ("abamotari-bashyiriweho-uburyo-bwo-kwizigamira-ubwishingizi-kuri-lisansi.txt", "9e02726f24b4d631ea396fa9fecd486b49c5fd8127cb1c2251a8acb888043f98", 2571),
    ("abanyamerika-69-barahiriye-gutanga-umusanzu-muri-gahunda-z-ubuzima-n-uburezi-mu.txt", "9317589834927e05e8a8213c9ad5169623f3003b2c158e8815710daa458865db", 2898),
    ("abanyamideli-berekanye-imyambaro-inogeye-ijisho-hamurikwa-wbm-ishobora-gukorana.txt", "13ab9f521b58c5c19dcda3fc56e13d95aec293831eb3837e08c8857e5a6893fd", 3037),
    ("abanyarwanda-50-batangiye-amahugurwa-kuri-jenoside-yakorewe-abatutsi-n-iy.txt", "d5f7982f936cff6a95f44fe6cf90c138954644feb7c188c9d5f4e2fb0ba3ee59", 3314),
    ("abanyarwanda-bishimiye-icyemezo-cya-guverinoma-cyo-kuvanaho-tva-ku-bikoresho-by.txt", "40754acb77fa9444f90d5e1e875cab681c66e94e2cb46b8cf5c1849ef164b4b2", 4125),
    ("abaramyi-gentil-na-adrien-misigaro-basesekaye-muri-kenya-aho-bategerejwe-mu.txt", "00546109acd198ede688dbd0f3e0cb61411e3d1f1a4a7e8359fc9069e9f4216c", 2282),
    ("abatuye-mu-mujyi-wa-kigali-boroherejwe-kwipimisha-indwara-zitandura.txt", "097a1e4df711e602e854a7ebcd57bcbaf92f80abbba4ec0cb43d8e6077db7b0e", 3378),
    ("abayobozi-barindwi-mu-karere-ka-rubavu-beguriye-rimwe-ku-mirimo-yabo.txt", "a53f6a8b2e7dadaa9b04bbc3c825ab28828a3f9459e27b89aa374b8656ad34a8", 2968),
    ("abiga-muri-auca-bakoze-ikoranabuhanga-ritanga-amakuru-y-iteganyagihe.txt", "6d8254620ae4c40210f8b1233a354c098c907df30070875db6ec2ef667b0dbf2", 3562),
    ("aif-yahawe-igihembo-cy-uruganda-rutanga-icyizere-cy-ahazaza-rubikesha-gufasha.txt", "ea26633e8aee259bf220d0637d14dfa8e121db4338676ba5df7a9acf6bdc337a", 3218),
    ("akanyamuneza-ku-miryango-isaga-igihumbi-yo-mu-turere-dutatu-irimo-guhabwa.txt", "67c6b80944ce7acb47e34da3279d18659ff00a0bcb4b9ebd9626fbec3a063369", 3982),
    ("amafoto-y-icyumweru-ruswa-yajanjaguriwe-i-kigali-moto-zikoresha-amashanyarazi.txt", "21de3ed27ae02447248e8b332b1df46bf0ab6362a2c608abf8e4189a955655e6", 2274),
    ("amavuta-yo-guteka-ya-nejma-yahagaritswe-ku-isoko-ry-u-rwanda.txt", "a9ed619c4b1ddcd99fca6af47b0a7e7c0401af2e65600e4beb863fd15af99599", 2500),
    ("amb-dr-francois-xavier-ngarambe-yatanze-impapuro-zimwemerera-guhagararira-u.txt", "e9230914eedd903570a8b0c64b78c4706a4caa46e009809a2716bc4ead45d586", 2782),
    ("amerika-kamichi-na-ally-soudy-basusurukije-abitabiriye-igitaramo-cy-urwenya-cya.txt", "1b1e10c62593052dafd32afda0a42efc63974af26879ed3f4d7e50295c5d8625", 1356),
    ("amerika-kamichi-na-ally-soudy-bazasusurutsa-abazitabira-igitaramo-cy-urwenya.txt", "5c8d2c5acd9938bd1bc6e2227d8deb90d558dfd1ce0f07dd2c0850697122f399", 1481),
    ("amerika-umuhanzi-w-umunyarwanda-mfizi-lucky-n-umukunzi-we-bitabye-imana-baguye.txt", "ef39d88eec8fa5c72d6dc2bc5afed89196780fc8ee82ea7b778500af752698dd", 1896),
    ("andy-bumuntu-yemejwe-nk-umuhanzi-wa-gatatu-zaririmba-muri-east-african-party.txt", "4e23c3cb5ee8b3e3170d3b10437b51dfacb40758744c4eb6a208b2d90e50cbe9", 1930),
    ("apr-fc-yahize-rayon-sports-mu-ikipe-y-umwaka-wa-2019-sunrise-fc-ihagararira.txt", "40b4dfe2236322469486a510bcf8b294bc1776707ed854aa50a2f0d4c9d34f3a", 5011),
    ("bacinye-akadiho-choeur-international-yinjije-abakunzi-bayo-mu-buryohe-bwa.txt", "a18ef2edfbc9a54f728acf4c7d6a056aa113314bea22e3848317b303367fa27f", 2892),
    ("ben-ngabo-kipeti-n-abacuranzi-bakomeye-bagiye-gukora-igitaramo-bise-umuzi-cy.txt", "cc7c0d54ea399005c12ad53bd4287b0783fe819a2b091873961a9f6a4c4da7b7", 1878),
    ("bizimana-yannick-yatowe-nk-umukinnyi-w-ukwezi-wa-rayon-sports.txt", "f1669f92308ec2e8c3193ab20b6dbb722b1e440af2f825965d6a351e92afe9a6", 2193),
    ("bk-preseason-amakipe-azakina-%C2%BD-yamaze-kumenyekana.txt", "2e25fbaef2aab1f937a6cd73a9dfe4605ecbab4826eabbcecdbce4446ea967d6", 2122),
    ("boeing-igiye-guhagarika-ikorwa-ry-indege-za-737-max-muri-mutarama-2020.txt", "185225eb2396c10ba7781de68919181b3f6959f388748bbf7623524090055753", 2587),
    ("butera-knowless-yasoje-icyiciro-cya-gatatu-cya-kaminuza.txt", "846b8a9f47a627a0ac600b7f124e228ac65f9e5d0e86c65669322289c14c5f96", 1995),
    ("bwa-mbere-i-iwawa-hageze-itumanaho-rya-telefoni-kubera-umunara-mushya-wa-mtn.txt", "1856d0353cdf4aab1203de24cd67cdf501e08a65e31ef6f83c7901b15bc469d4", 3173),
    ("bwa-mbere-mu-rwanda-hagiye-kwerekanwa-igice-gishya-cya-jumanji-filime-yaciye.txt", "6fe8cbc18ab34d45aaf0cfd6b6dc50da9fe9f6d60b956f552f88668af84fdcf1", 1535),
    ("cameroun-yatangije-youthconnekt-nk-uburyo-bwo-gushakira-imirimo-urubyiruko.txt", "1a091d305801b37a4e64fec3564ae6da774885e0d6c164d80b3d29a00ffc0771", 2808),
    ("champions-league-ibigugu-byahiriwe-n-umunsi-wa-nyuma-amakipe-16-azakina-1-8.txt", "54efcd8a1c643809b398fcc1ea26fa7d9d2b593882cb49f46bc0a0014176830f", 2933),
    ("champions-league-liverpool-na-chelsea-zakomeje-inter-na-ajax-zirasezererwa.txt", "aaacf903626c3bafe6c13d25d62f3126c258dfd50691416bde6136ec2fd5c673", 2960),
    ("champions-league-real-madrid-izahura-na-manchester-city-fc-barcelone-ijye-mu.txt", "3a1fd8b24aacf650944c61310cd70c094c5f91d7b1ba66bc4f739dab14617e4b", 1449),
    ("choeur-international-yateguye-igitaramo-izifashishamo-indirimbo-ya-m-bilia-bel.txt", "cb1cffad6c076b93a8ff97c0e58df8d3b2cc88d6b978e7d899064c5ad8b7513a", 2002),
    ("clemence-botino-yegukanye-ikamba-rya-miss-france-2020.txt", "c057b83943e36b940c07f534e06568651010efed1aa2300087c58798ffcb91df", 1247),
    ("danemark-abanyarwanda-bizihije-isozwa-rya-2019-basabwa-kongera-imbaraga-mu.txt", "72cf4e0685e81206e4506df3de7530de2426ecceea89de3e9a09cd142f351230", 3587),
    ("dj-romy-jons-dj-rj-ucurangira-diamond-yatumiwe-i-kigali-muri-silent-disco.txt", "63feb84beb41adc4a677572f7b66c0330216dfb4e57b3f6ff68c751d19755c35", 1197),
    ("ecobank-mu-bukangurambaga-buzajya-bufasha-abakiliya-bayo-gutsindira-ibihembo.txt", "3e9e41c3e03f785348ef3f2a391492451e35668f95d3112ac19944cc56264f8a", 4459),
    ("ecobank-rwanda-yashyize-imbaraga-mu-kwegereza-abanyarwanda-serivisi-zayo.txt", "8d0b0fd5d0245db35d47dbfaffaef958ce9779858119e2df0d686587bf5a75d4", 5404),
    ("ecobank-yahawe-ibihembo-mpuzamahanga-bibiri-birimo-icya-banki-y-umwaka-n-icya.txt", "580c75d648f92d9bd0cef5fffd1cceef78c48dfd805255e8528dcb7aa40ed070", 2063),
    ("gambia-abaturage-biraye-mu-mihanda-basaba-perezida-barrow-kuva-ku-butegetsi.txt", "45689eca94f04eea3d0a0f6587a9ad76ee995a687005db783a2b79df9682fc2c", 1276),
    ("gasabo-polisi-yafashe-abari-bagiye-kugaburira-abantu-inkoko-40-zipfushije.txt", "8de44631a6bb476317b363afb0d2c2bbffbaa635ad5cf069d989c76747eea416", 2521),
    ("gen-kazura-yeretse-abaturiye-nyungwe-igishobora-guha-umwanzi-icyuho-akabaca-mu.txt", "d1b9a9b1284efcbb0671abd8db8f66d2650399b67ccff754a60ed993062bfc7e", 5240),
    ("gen-mubaraka-yasabye-urubyiruko-kwigira-ku-mateka-y-abaharaniye-ubumwe-bwa.txt", "5b7699d14917d4d337f1d5632c90fa1bdeb56f2cd9f676bd746c704e69ae4f70", 2824),
    ("gen-nyamvumba-yasabye-abapolisi-gukomeza-ubunyamwuga-n-ikinyabupfura-mu-kazi.txt", "96a470b47c48adc5634b5ed288cc5b815cf3c092221b6f82b98e27ac69c91e7d", 3410),
    ("gen-patrick-nyamvumba-yasuye-patriots-bbc-iri-kwitegura-ijonjora-rya-kabiri-rya.txt", "dea8b49c78c261b2f38842447c19169a8851eeeecb21351bb8533fd497b28b7f", 2217),
    ("guhagararira-neza-igihugu-bisaba-kwitanga-no-kwigomwa-igp-dan-munyuza-abwira.txt", "8aebad12e11d51a9e93a2739c8e02da4084b8d6bcf87bc3f393cd5151bd8a00f", 3115),
    ("guverinoma-yakuyeho-imisoro-ku-nyongeragaciro-ku-bikoresho-by-isuku-by-abagore.txt", "04d9cfc5e01284b5a6ed78cc4d9960363338399a94d4722f285e7ec6f06c5357", 3424),
    ("hahishuwe-ko-boeing-yasabwe-guhagarika-gukora-indege-za-boeing-737-max.txt", "adf7fca740f8581c113961412ab884fcca861a6d85120466be4aef0c855ff3ac", 3117),
    ("hoteli-akabari-restaurant-n-akabyiniro-by-umwaka-byashimiwe-mu-batanga-serivisi.txt", "6e59ff5993c856f5b1ccddd8adaed2e991d5e6a61f405d413184289c46d8c719", 4674),
    ("ibiciro-ku-isoko-byazamutseho-6-9-ku-ijana-mu-ugushyingo-kubera-ibiribwa.txt", "dd8785bca9ddd90654fcd69fda45ae18fde180cf2b5f97e27972e1879578c072", 3395),
    ("ibyishimo-ku-bakiriya-ba-alimentation-la-bonne-source-basogongeye-divayi-z.txt", "0323863e7796dee4dd33d88d7d47f5c749f6972fa0466961a55a803b3d814ffa", 4510),
    ("ibyo-wamenya-ku-myiteguro-ya-east-african-party-iha-ikaze-umwaka-wa-2020.txt", "59df317cc9282a97c61030180b3b723995e29ebc5320a85c99bc6673f3b30f3d", 1881),
    ("icyo-amb-dr-ngarambe-yavuze-nyuma-yo-gutanga-impapuro-zo-guhagararira-u-rwanda.txt", "02ee51729ce749b58ad65a6fd121a99abb98fb87dc81f7d9a85cd7499533f16e", 4596),
    ("ifoto-y-umunsi-mahoro-mirreille-chadia-yitabiriye-miss-career-africa-ari-ku.txt", "2d44a9093c5b828d15393a97f0b5d4a57387074f6047a73b63b424476b02aee4", 2317),
    ("ifoto-y-umunsi-minisitiri-diane-gashumba-yashimishijwe-n-intsinzi-ya-rayon.txt", "13fc199d3ce9b6b1b3138cd68a2b1140779e72f35722bdc35070249b14cd73fb", 1702),
    ("ifoto-y-umunsi-minisitiri-munyangaju-yatangije-ijonjora-rya-kabiri-rya-bal.txt", "c2dd4f041ac9db6d15a55e49e7f366dde39218ae0e349bb02e5662a13c0354cc", 2043),
    ("ifoto-y-umunsi-niyogisubizo-w-imyaka-icumi-yanyonze-igare-ibilometero-15.txt", "a0032e2ecb2a4b945901f25a18108edc7fdf15b625dc80351208aaaaae82f6ca", 1948),
    ("igisupusupu-n-abanyarwenya-bakomeye-mu-rwanda-bagiye-guhurira-mu-gitaramo.txt", "f4ac93a06bcce53d44e8ead31b2ea182c8ad7d8460e0fab9d5a0f4f327fc95d4", 2180),
    ("ikanzu-yambawe-n-igikomangomakazi-diana-yagurishijwe-asaga-miliyoni-324-frw.txt", "982d78bdb1408961a1759bf29529322d3bd1ccc4e71a2a602235fa3f573d60ff", 1327),
    ("ikigo-essoka-cyashyizeho-uburyo-ibigo-bishobora-guhangana-n-abajura.txt", "7e00c570f7fcc31111a7ed58bce9559efbe0925cb26bb9cdba300652a9c6079c", 3009),
    ("imbamutima-z-abatsinze-muri-hanga-higa-basabye-alain-muku-ko-yabatuza-i-kigali.txt", "07d9b10c329b4e92734f9e4d5168945e5f548be06eaf2193e086106bba40f274", 2137),
    ("imiryango-itari-iya-leta-yasabwe-umwihariko-mu-kuzamura-ireme-ry-uburezi.txt", "2f07f7070dbbc4a852f9ef15d11f40ae1645838d95ceb06f3d1b4992558021fe", 2740),
    ("imiryango-yahamije-ubuhangange-mu-mateka-y-u-rwanda-igicumbi-cy-uwa-rwakagara.txt", "3f75265208e6a848da095682023da1c1d6cbf3e89a1762e28e269f6a4f227583", 7654),
    ("imiryango-yahamije-ubuhangange-mu-mateka-y-u-rwanda-igicumbi-cyo-kwa-rwakagara.txt", "d1402a940eb71ab54e5bd219d1051abf0033f0cf2e1e4198373a2da1d2870969", 7403),
    ("imiterere-mishya-y-intebe-zo-muri-economy-class-ishobora-guhindura-uburyo.txt", "5156d7a01afd1a04c30cd99f7bf1ea88fe1fe1e361d76fedfa3be16b7bd63c58", 2857),
    ("imyaka-75-irashize-ingabo-za-amerika-zibohoye-umujyi-wa-bastogne-mu-maboko-y.txt", "fed282aec621b9e867bc7c7e95b21bb57dae402e587925b91e43fb750abde91e", 5715),
    ("inama-njyanama-y-akarere-ka-gatsibo-yahawe-umukoro-ku-kibazo-cy-isuku.txt", "8e89ea184656da4c3b39a121cc8ca0f5f24a2a7d127c53bdc8801921cd120825", 2045),
    ("ingabire-immaculee-abona-imirimo-ikorwa-n-abagore-idahabwa-agaciro-nk.txt", "9398755a7e6e0f8adc26e8d4c91a86f50c4940888884bebc0cf0f54b92d4139f", 4734),
    ("intambara-y-amagambo-yavutse-hagati-ya-asinah-na-bruce-melodie-wamusibye-mu.txt", "7641b6138a8b145b0c09893fcd55ceb9de671d2918dbe16dbe78f8a6ffe67400", 2792),
    ("inteko-ishinga-amategeko-yashyize-hanze-ibirego-trump-agiye-gukurikiranwaho-mu.txt", "6458447101ceb52c5a0c3f9c474709c82aa158b45180964aec680f26520d2880", 2740),
    ("inyungu-u-rwanda-rwiteze-mu-imurikagurisha-ry-ibikorerwa-muri-oman-rugiye.txt", "4b43da09e74468b79feaf9750dee1c9bd9ad788757b3c860dc79fb12a015530a", 3032),
    ("ishyirahamwe-resirg-mu-gikorwa-cyo-gutera-inkunga-ubushakashatsi-kuri-jenoside.txt", "65463ce24718ef96cf086ec4f5637f295936e7fc7a63db57814340d8b66886ac", 4379),
    ("itorero-ibihame-rigizwe-n-abasore-gusa-ryateguye-igitaramo-rizerekaniramo.txt", "13198fe596fbc2800c696b9f85dde8ee4ad5f29ab219b319d3980806cb12a6e7", 1809),
    ("iyo-umeze-neza-uba-umeze-neza-perezida-kagame-yahumurije-mboweni-ushaka-kuva.txt", "e05c997d0a8b2fb0760d240d3640ebc08a5c14f09a9960155ae8064134a34c83", 4616),
    ("kapiteni-wa-rayon-sports-rutanga-eric-yavuze-ku-makuru-amwerekeza-muri-yanga-sc.txt", "79f592ffc95dce3354c2ba5657301fa3cbe7a108015ad81c30a1e6814558e106", 2072),
    ("karongi-umuyobozi-w-ikigo-cy-amashuri-yakubiswe-n-inkuba-ahita-apfa.txt", "736ef46cac723974c8a0632b06ba752c8ab464b378bbd9bd995c809322e1b42f", 1282),
    ("kenya-abadepite-basabye-ko-amata-atumizwa-muri-uganda-ahagarikwa.txt", "b676901b7a006e9aefafadcf94e120d22b654e15074087e21930b77f14ea581d", 1798),
    ("kenya-abarimu-basabwe-kugaragaza-imitungo-bafite-bitarenze-ukuboza-2019.txt", "a6aa7dc1e23d86bf92ee024847215f0b2d13e7c6c8f856030c588a0a484e0667", 1268),
    ("kenya-guverineri-wa-nairobi-mike-sonko-yarekuwe-atanze-ingwate.txt", "7c834bf7d7d773add66a1787a848dc3253f23a4a1bfda0c32b363e86106d938a", 1877),
    ("kenya-ntishira-amakenga-ubwinshi-bw-amata-aturuka-muri-uganda.txt", "f608520cfac826e77ba3f1de12363d7fc2adad783add632b69eff9324acf8a33", 1312),
    ("kigali-reg-yatahuye-toni-zisaga-eshanu-z-insinga-zari-zaribwe.txt", "83f6c78aa46f91eff4fd18951891f6c52cde476a9342db90c6128b2e1345ca4b", 2044),
    ("kiliziya-yahinduye-amabwiriza-agenga-ikurikiranwa-ry-abihayimana-bakekwaho.txt", "06914ddf3cb25c1de84a4e22bcb59a94972e191359d6d4c92430b0204a756a85", 2190),
    ("korali-siloam-ya-adepr-bibare-yatumiye-shalom-y-i-nyarugenge-mu-gitaramo.txt", "5e4c0f0f79dd3d4ace28df7f1dbb59a61b0179505fbdaa9b180cf1d09e258056", 2195),
    ("kuryamira-no-kuryama-nyuma-ya-sita-byongera-ibyago-byo-kurwara-stroke-kuri-85.txt", "5dc65b07faca3778c1ffa0a557a7d21120a79e7bc80f93e0bc576ff0088dc200", 3261),
    ("kwizera-christelle-yahawe-ibihumbi-97-yo-kwagura-umushinga-we-wo-gusakaza-amazi.txt", "7d3c66119aaa357d8627127066fd6afd62180a58d494a6e091340371dfa16a4f", 3499),
    ("la-rose-uba-muri-norvege-yahuje-imbaraga-na-daniel-ngarukiye-bakorana-indirimbo.txt", "f30b5d93579832fd7ced78009ede24776bb726ab875c9e63db1a559dfe50010f", 1936),
    ("les-amis-sportifs-ifashwa-na-cogebanque-yateguye-irushanwa-ryo-gushaka.txt", "39767924356d68102e3967c4d14d569dcc23f7546fe22d190fa2f4a7c91194c0", 3106),
    ("lilian-izina-ry-umukobwa-ugira-amarangamutima-menshi.txt", "ddd0917678e4e6871dd445ec0ae679191c652fa87b1930d5f84f5efcd6ea0b28", 1743),
    ("maj-gen-ruvusha-yaburiye-abayobozi-biremereza-ngo-abaturage-babatinye.txt", "0af2bf1148b68aa85c52a3200bd6abdd2b779996dafe3ac1b54c1efed627435e", 4293),
    ("maurice-izina-ry-umuhungu-ukunda-umutuzo.txt", "16d423cacbd3082c9f551de2e95c7d702cc633ac4ecb842c2f188b643eea2c90", 1367),
    ("michel-mpambara-umuhanzi-ufite-inzozi-zo-gushinga-ishuri-ry-ikinamico-zo.txt", "161b19880c5ee15c04a60c5500249a00b09ffd44d472a9f2d1c06c5c87513a5f", 3040),
    ("mihigo-francois-chouchou-yahishuye-ko-indirimbo-girimbabazi-yayikomoye-ku-nkuru.txt", "90648e9813f5f3f84de3d248fd02db173c0019782866f1f440442580748e9a98", 2375),
    ("mineduc-yatashye-ibyumba-by-amashuri-birenga-1-100-byitezweho-gukemura.txt", "140157abafb179faca462398b442065f312a3f9813d01b778ae5cc0939c0ed2c", 3715),
    ("minisitiri-gen-nyamvumba-yasabye-abapolisi-kurwanya-icyahesha-isura-mbi-polisi.txt", "74da6860580d748cacf0fba26cafee5e452efb20aa10bba7284a3dbcf5f8a532", 3422),
    ("minisitiri-munyangaju-yasuye-ikigo-cy-amagare-anatangiza-amahugurwa-y.txt", "ef03ff43a6e3b8c469921a9988df672f10563cbeb6d460bd2b0e0758dd7ba16e", 2848),
    ("minisitiri-shyaka-yatuwe-ikibazo-cy-inyubako-za-leta-zangiza-isura-y-umujyi-wa.txt", "80730ce2f67eec22e8a48e0fb5083a6a8848d65dd9aa7674b7cde15355c1fe4e", 3118),
    ("miss-nyekachi-washimagije-nimwiza-meghan-yagaragaje-amarangamutima-adasanzwe-ku.txt", "e3b02b605ccf98876ac15d87deeb4681aad099249f4544aa159066a88bd461cd", 2030),
    ("moto-z-amashanyarazi-ziri-mu-igeragezwa-mu-rwanda-zujuje-ibilometero-250-000.txt", "0bc273b5d6b9b2445e57482ce766c4cb7ad447675eedf6049b5f5cd097388b2e", 3885),
    ("mufashe-igihugu-kwihaza-mu-biribwa-minisitiri-w-intebe-ngirente-abwira-minagri.txt", "cffdd283a0883a1ed734b840b4d9e9a971e97636cf66a8a5b9923c636df304f5", 1786),
    ("mukantaganzwa-domitille-yahize-kumenyekanisha-amategeko-mu-baturage.txt", "d31c9d68b8802fa2042e768b612196f14a140333936672239427315ccc4ba91a", 2536),
    ("mukura-vs-yirukanye-abatoza-babiri-nyuma-kunyagirwa-na-rayon-sports.txt", "65c229ae96a77c1fe0effd7f71ed2d1bed10f3202978ae0a98ecf5331f308127", 1902),
    ("musanze-ababyeyi-basabwe-gucika-ku-muco-wo-guhishira-abatera-inda-abangavu.txt", "c6e279275ecae07a0449eed8cc16df5fa9af620f3ef7178274fd0fc658c59763", 3051),
    ("musanze-bahangayikishijwe-n-ubucucike-bubangamira-abana-biga-mu-ishuri-ribanza.txt", "76e4cd68b87f8b98264ffcd87ec10ea90031ea64aec72f0eb8995f82073bb761", 2255),
    ("musenyeri-rukamba-yongeye-gutorerwa-kuyobora-inama-y-abepisikopi-mu-rwanda.txt", "b94b26b94dbfae0f4d2c3e7da4e908ce1f149bcac170e3f0d4ba836ee1a9da34", 1645),
    ("mutsinzi-ange-yahaye-icyizere-abafana-ba-apr-fc-ku-mukino-wa-rayon-sports.txt", "a83e19ac8f2a64aacfae414cfcc5ceb06f9482f115cd4c97568dac32653e40f1", 1763),
    ("myugariro-wa-rayon-sports-herve-rugwiro-yatawe-muri-yombi.txt", "b270e8ad77632e47bf9facbf114f41f7636d7ce31c75f2f9e61e81c21a37ef7a", 2028),
    ("nel-ngabo-yakoranye-na-knowless-indirimbo-ivuga-ku-muntu-wabaswe-n-urukundo.txt", "416eb2819a15ecc68fa65a589ca8543f7851fc580b8ebcfe4c1c7b3869a722f0", 1657),
    ("ni-ibiki-byatumye-u-rwanda-ruri-mu-bihugu-birangwamo-ruswa-nkeya-muri-afurika.txt", "4c5de0959c076e3a0f122fdb2c5db6e70811788a2e9eebb692b1e142da7c48c9", 3088),
    ("nigeria-yemeje-ko-guhera-mu-2020-abanyafurika-bazajya-bahabwa-viza-bageze-ku.txt", "a9274ea171bf9c39077b1383f0d91fed815d8590633374bc6b969b1933f8077c", 1713),
    ("nimubona-na-yankurije-ba-apr-begukanye-kigali-half-marathon-yakinwe-bwa-mbere.txt", "986cf51261b82892810b8f2b0d7e79540e9e7b803c88bf907da478c5a49a4cbc", 2705),
    ("nirda-igiye-gutangira-gufasha-abikorera-kurushaho-kubyaza-umusaruro-ibikomoka.txt", "7b01e6440e070b5cccbe939d064e902537c717fe9e186386b4368be766512ff4", 3178),
    ("nkombo-ntibavuga-rumwe-ku-muco-wo-gukarabya-abagabo-ibirenge.txt", "6ec8c9d8f21951baa44274249fc1a9b508e7eb8e497875c9f493224ab49ff131", 2738),
    ("nkurunziza-gustave-yashinje-abayobozi-ba-frvb-guhimba-amategeko-ya-baringa-ku.txt", "99659be8596ec66af8744f6062ff624c3995a8e24f2d02359f3f86b831c8c608", 3088),
    ("nsengiyumva-igisupusupu-yasohoye-indirimbo-nshya-umutesi.txt", "94515995ce42c2d893bc6a1193e26038c249a90006a8edd88c7948896d06ea66", 1619),
    ("ntiwatsinda-umuntu-urwanira-kubaka-igihugu-wowe-urwanira-kugisenya-gen-kabarebe.txt", "e4ff42d5cee6cce40b95c6a70c3253c4805182635d6690d48a407f8db13b07f7", 3255),
    ("nyabihu-abagabo-babiri-bafashwe-bagerageza-guha-umupolisi-ruswa-ya-10-000-frw.txt", "9e249e1a44d70523d83cf48c24ffd31f7da94da005367a17a4be61368393deff", 2373),
    ("nyabihu-uko-niyokuru-yavuye-ku-izina-rya-mujinya-kubera-guhohotera-umugore-we.txt", "d6b8d9e8d804de46008e085fc659529d5554c71138bb19c1715a47ac98dfa463", 4184),
    ("nyamasheke-ibikorwaremezo-bike-ku-kiyaga-cya-kivu-imbogamizi-ku-iterambere.txt", "12393c6ec9a04f2f67d66802d542d34a9eee87abe4479b96c46b59d25ea8454f", 2389),
    ("nyamasheke-umugabo-yafashwe-yinjije-mukorogo-n-amashashi-mu-rwanda.txt", "f9c534e3f17dcdb23229a7af0b9b7a1f4d0784de9811f13333ad9b9be48c3153", 2710),
    ("nyuma-yo-gufungurwa-bushali-yashyizwe-mu-bazaririmba-muri-east-african-party.txt", "04d34f1be090d060ff74f039ba8916c6b03ea3ade928b91365731e6cd4d49d6e", 1550),
    ("onomo-hotel-yatangaje-ibiciro-byo-kunezeza-abakiriya-mu-minsi-mikuru.txt", "699ba00f52560850563d476aafe7de2b5c3141f509b5eaabfa5874973b00d19f", 2208),
    ("opera-i-kigali-chorale-de-kigali-yateguye-igitaramo-cy-udushya-n-ubudasa-video.txt", "7ea4a52c093ef8353612e3b0d1130449cfd3bcd366d2e7ddd642049d5e8ac2ff", 3458),
    ("patient-bizimana-agiye-gutaramira-mu-bufaransa.txt", "6159a260a7571e7376dcdb46c3ec7eb90045c467f809917286212ec9e3da8262", 2234),
    ("patriots-bbc-yatangiye-yihaniza-jkt-mu-ijonjora-rya-bal-amafoto.txt", "e32861587064b833d19204c27e06b6bc1738c0a0303cd3f38afa87fc3de5f0f2", 2608),
    ("pauline-izina-ry-umukobwa-ukunda-kugaragara-mu-bikorwa-byo-gufasha-abandi.txt", "216d6db37d795a83a0e6a2db27a87203ef628cbd1358837340d9ee5b7836c4d3", 1538),
    ("perezida-kagame-yahamije-ko-nta-ntambara-itutumba-hagati-y-u-rwanda-na-uganda.txt", "419eff05bb143487684ad097240eb6fa93faa20472eba4a54d45c900a9316ecf", 5348),
    ("perezida-tshisekedi-yemeje-ifatwa-ry-abarwanyi-basaga-1700-b-umutwe-wa-cnrd.txt", "0700da13063d22b4c6b07474f5737c4358974b0df59de3c9d8bfbc35924aa038", 2501),
    ("pervez-musharraf-wahoze-ayobora-pakistan-yakatiwe-igihano-cy-urupfu.txt", "0016b67a4c02d45b435c07aecb2af7d5b8fb3abdc0c8f9e9b18139007cc42e57", 2144),
    ("ray-vanny-ari-kubarizwa-mu-rwanda-aho-ari-gukorana-indirimbo-na-meddy.txt", "d7ddff9e9407729b9163ba6059e7fb079b3e27480d377b64088139c4e5f1391c", 2385),
    ("rayon-sports-igiye-gukorana-n-amakipe-yo-mu-bushinwa-izajye-gukinirayo.txt", "79fd2f78d0ffc949ebd74245ccf6b91ed1f8941f8dd8712549e05620fa1821bc", 1576),
    ("rayon-sports-vs-mukura-vs-amakuru-avugwa-mu-makipe-yombi-mbere-y-umukino.txt", "31e29d42c81b810382efb19fd3ae52660539d20a2d57d88fa9416d2fb34737d2", 2713),
    ("rayon-sports-yahaye-ubutumwa-apr-fc-inyagira-mukura-vs-amafoto.txt", "d7339a1282eba47f048abf61eb8cabc6c68eacbff4c937d64bee50ccdc53a379", 3096),
    ("rayon-sports-yihanganishije-rugwiro-herve-iniyemeza-kumushyigikira-agafungurwa.txt", "59a6fd9fa31f46057047b0cf4f98ea620d19ca41987199dfe940b12b8b8b855d", 2359),
    ("rdc-msf-iratabariza-abo-mu-ntara-ya-kivu-y-amajyaruguru-kubera-imitwe-yitwaje.txt", "468190cd80d42c2c8dde6111e35e0bf42e022187bf3aae0d363d6bebe59e2736", 2466),
    ("rib-yagaragaje-abantu-batatu-bayiyitiriraga-n-abandi-bane-baguwe-gitumo-batanga.txt", "caaa12befeb4f3314cc80cd42e07bdf22aa60abfc6a1bdd87948c278d33f6315", 3741),
    ("riderman-yahishuye-ko-atagikoze-igitaramo-cyo-kumurika-album-ye-muri-2019-video.txt", "d8eeaabcab67bfb2f3c0da784bcb6e7a39fd345420db882e79910e409c0f5027", 2258),
    ("risa-yahembye-imishinga-y-ikoranabuhanga-ritanga-icyizere-mu-koroshya-ubuzima.txt", "8bc04278c1c216b751d87b183d01892b651943a0e0dd1b431cb24f895e6f14d7", 5366),
    ("rubavu-umusaza-ukekwaho-kwica-umugore-we-yishyikirije-inzego-z-umutekano.txt", "bfee9733798c0930a4270c1e135b1f4b90942c70b50345b91a4080da0ed88346", 1167),
    ("rugamba-claude-yegukanye-umwanya-wa-mbere-mu-irushanwa-rya-hanga-higa-rya-alain.txt", "5c6d8131e81e08d85f884b0695c33bc4321a4e8433abcea0252411f943434722", 2767),
    ("rusizi-amakimbirane-mu-ngo-bimwe-mu-bitiza-umurindi-ubuharike.txt", "66fa7719c09edb40aafc6923909ac1b39b1f77a1b1d98ec7d9548b99409da144", 2569),
    ("rwamagana-umukobwa-yabenze-umuhungu-habura-ibyumweru-bitatu-ngo-ubukwe-butahe.txt", "fd55c2821812644b960a603b96e1c6f125629f7449ac4f67ec979135884bf268", 3386),
    ("safi-madiba-na-dj-marnaud-bahuriye-mu-ndirimbo-nshya-ntimunywa.txt", "7f785c8b7711dc4c417d3934205c61f4868478f05715f9c3f3e3523706915cee", 1575),
    ("safi-madiba-yatandukanye-na-the-mane-yamburwa-uburenganzira-ku-ndirimbo-zose.txt", "f3a2239a26a998411bd8ad154df0e7712939a409e43d093d8098ebafe6f1d98a", 3874),
    ("south-african-airways-iri-mu-bihe-bikomeye-by-amikoro-idatabawe-ishobora.txt", "f162bb1ea8451783ff16e81ca62935888eafb2ba2179d353580def854a187950", 3033),
    ("startimes-irerekena-imikino-ya-europa-league-arsenal-itegerejweho-kubonamo.txt", "721cdef8476d7efc825bd94d233954c6b8c14908e836c96bb91a40568a120915", 2773),
    ("sudani-omar-al-bashir-wabaye-perezida-yabajijwe-kuri-coup-d-etat-yamufashije.txt", "10111f777588e8a4084f69a600dce813532a00c6321065a8579c2d33fec03590", 1951),
    ("sudani-y-epfo-kiir-na-machar-bemeranyije-gushinga-guverinoma-y-ubumwe.txt", "7bc1095c5d8105ba076c56823c67e28b287c422bfe7c26080386134ea40ec546", 832),
    ("sunny-yahuje-urugwiro-na-rudasumbwa-wa-afurika-mu-ndirimbo-nshya-yakoranye-na.txt", "da2967ec23da69f57bc078f50d94dcddb31b20baca6eb40adc8d7a7c3b3c5df6", 2939),
    ("tete-roca-umaze-imyaka-itanu-ahagaritse-umuziki-yavuze-icyabimuteye-akomoza.txt", "6eddd283d34c50f5e103d6ec2378871f8943a33df37c6623e85c5d47d82ac950", 5032),
    ("u-bubiligi-abunganira-neretse-fabien-bongeye-kumvikana-mu-magambo-apfobya.txt", "9e528848f25b364057d4db783755a9eb9859c665f25cd9eb6eccbd1dd5f91f15", 3299),
    ("u-buhinde-bwatoye-itegeko-rikumira-abayisilamu.txt", "3f937ea45bc4fd3508e11fd8a95922714f2941effdb7e1939d7f2a6d1d520bfe", 1213),
    ("u-burusiya-mu-mugambi-uzabufasha-gushwanyuza-ibibuye-bishobora-kugonga-isi.txt", "b34dbbbbf847f08beed41e1c1435f71ec57541c33032cc2840d3158b7f1cc95a", 2168),
    ("u-bushinwa-n-u-buhinde-ibihugu-byitezweho-kuyobora-ubukungu-bw-isi-mu-2030.txt", "423352ff5fa385adec4db4380c5b5e433db868077a9b04622e0e636a8266154f", 5124),
    ("u-bushinwa-umusirikare-wasabye-gusezera-yahawe-umurundo-w-ibihano.txt", "fb0e1e81ec406458a6644e5d8252051a6a2948b91b2c7e57e8c31253aa451785", 1653),
    ("u-rwanda-na-nebraska-byasinyanye-ubufatanye-mu-bya-gisirikare-no-kubungabunga.txt", "a531058c033ed81675a60a3162a425f369b1bf806e3e1c42da85cf8836f9dc44", 2922),
    ("u-rwanda-rugiye-guhagarika-gutumiza-mu-mahanga-imbuto-y-ibigori.txt", "e27474084ef0fc72d2f4d74ec084337a63e4504fc027759e39511ceaa6e76f56", 4119),
    ("u-rwanda-rugiye-kwakira-imurikagurisha-ry-ibikorerwa-muri-oman-ryitezweho.txt", "a267bb00b6fbbed12622d45cdf438e7adcd4c5c91950889d76551235a3d43af6", 2380),
    ("u-rwanda-rwasinye-amasezerano-aruha-kwakira-ikigo-cy-amahugurwa-ku-kurwanya.txt", "2b2e1383065d5c35b83ce8104aec7a667d33795754b1459167b1e017d8dbcb8f", 4096),
    ("u-rwanda-rwemeye-kwitangira-amahoro-mu-gihe-uganda-itsimbaraye-kuri-rnc.txt", "826d3387bda5960eee6a7f244c0811dfd9fbd6abb9124959ccfb35a60c0fa5af", 8338),
    ("ubushakashatsi-bwagaragaje-ko-abahinzi-babangamiwe-no-kuba-batazi-uko-ibiciro.txt", "28d30bd448d22c402d4430183fa1db0b420d99bd68c572005a5c8448cf1cea33", 3374),
    ("ubushakashatsi-bwagaragaje-ko-ibinini-byo-kuboneza-urubyaro-bishobora-kwangiza.txt", "942cda0ac5b894106b433748e40f97cd1e3b78b22f03b97a74395f10ea30f985", 2340),
    ("uganda-abanyarwanda-40-batawe-muri-yombi.txt", "f6071911195090dc4459767a641224694598a3dce109d5f10b821a87812549ea", 1585),
    ("uko-dusenge-yiteje-imbere-abikesha-kuba-umwe-mu-bahagarariye-cogebanque.txt", "255c0ccf4949b589fa515e81f9eb9e55c877b3c38ec45ba041a49c2d79ae044b", 2765),
    ("uko-gushyigikira-amasezerano-ya-arusha-byatumye-amb-habineza-joe-aterwa-n.txt", "0f27960e50a68147a539f548cafc412be629027097561a2bc889e67c3603872e", 4240),
    ("uko-imibyinire-y-u-rwanda-ikora-ku-mutima-abayobozi-bagenderera-u-rwanda.txt", "8860e751ee9bcf281b4d82c10ff017b6e8497602e23f0d6ca2d6937af429a1c2", 4363),
    ("ukorera-u-rwanda-rukagukamirwa-minisitiri-bamporiki-ahanura-urubyiruko.txt", "3f48a6a0dfa84cfc821722e8f1a0e480191a1ddde90e88e9ecbb57f1fe04a261", 3131),
    ("umugore-wa-visi-perezida-wa-zimbabwe-aragezwa-mu-rukiko.txt", "e735f86758d7a8f389de34bf5aef1d037edbcf2303fd8aa4bc16a9cb0bbee1ef", 2197),
    ("umujyi-wa-kigali-wateguye-irushanwa-ryo-gusiganwa-ku-maguru-igice-cya-marathon.txt", "1361546e0ed3e7b606967832e36c8bffaaab1af4a83ea6a5942bd5aba0a79674", 2215),
    ("umunyarwandakazi-neza-n-umukunzi-we-wo-muri-nigeria-skales-bagiye-gutaramira-i.txt", "a4b9cdb8fbb4fa685257fc9af5d6216db144ca00c5185fa253b912db802cbab3", 1288),
    ("umuraperi-b-threy-yatandukanye-na-green-ferry-yabanagamo-n-abarinmo-ba-bushali.txt", "c84c05dd191099e7bc082e1d9e2bcaf13e446252b807b7f2c30985f5089eced2", 1845),
    ("umuvuduko-w-amaraso-na-diabete-mu-ndwara-zibasira-abanya-kigali.txt", "cbd7d0e8ac7c26fc099ba6920fca673ce6ea5ceff00185a586fd8efa2f46b140", 2692),
    ("umwami-ntiyica-hica-rubanda.txt", "b52b72466d75caf823ba57d276c804b7a52af1b5bcb091ed1d0fe71f2b4f9a76", 6244),
    ("urugendo-rwa-miss-gaju-anitha-na-vanessa-cyiza-bahereye-ubucuruzi-kuri.txt", "b4bf964901583cba02ac63fa2b6051f51a6d1353b2de298bb7a85cc9185e2b41", 2404),
    ("uwantege-claudine-queen-uzwi-muri-filime-ya-papa-sava-agiye-kurushinga.txt", "a2fd6360fc3a6797cded108293a7187ac787d0c243e433dbc6d7880b4d056165", 1132),
    ("wild-connector-safaris-irizihiza-noheli-itembereza-abaturarwanda-muri-pariki-y.txt", "50dd42c5a5b6199d2c8adeaeacf6223f2f8cab22e3564591597841e3d0207365", 2032),
    ("yvanny-mpano-yashyize-hanze-indirimbo-2020-yibanda-ku-iterambere-ry-u-rwanda.txt", "baef6b08facf109849074f7059fbdd2f7410af7b85529126c7dd17dd10d7581c", 2019),
    ("zambia-yasabye-usa-guhindura-ambasaderi-wayo-i-lusaka.txt", "3c3e6f8c0199aa64b48f180a24966c171339d622ad32e940f2c160f7e0b91931", 1155),
    ("zambia-yemeje-umushinga-w-itegeko-ryemera-ubuhinzi-bw-urumogi.txt", "b3306e7258a497098d7a75533b0f8aa9a541ad2181ceee944223fc046fb6a860", 1867),
)


@dataclass(frozen=True)
class NewsArticle:
    """One article: ``doc_id`` (``"a000"``.. in file-name order), its ``slug`` (the file name without ``.txt``),
    the ``headline`` (the slug's words) and its ``paragraphs``.

    Introduced in chapter 2 (:doc:`02_kinyacolbert`).
    """

    doc_id: str
    slug: str
    headline: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        """The paragraphs joined by blank lines."""
        return "\n\n".join(self.paragraphs)


_INFO = DatasetInfo(
    name="kinyarwanda-news",
    description="183 Kinyarwanda news articles (IGIHE), one text file each, named by the article's slug "
                "(its headline).",
    files=github_files(*_REPO, [(name, f"DATA/texts/{name}", sha, size)
                                 for name, sha, size in KINYARWANDA_NEWS_FILES]),
    licence="none stated (news articles by IGIHE, collected for Kinyarwanda NLP research)",
    citation="Kinyarwanda-NLP/kinyarwandaTexts: Kinyarwanda news texts collected from IGIHE.",
    bibtex_key="kinyarwandatexts",
    homepage="https://github.com/Kinyarwanda-NLP/kinyarwandaTexts",
    source=f"{_REPO[0]}@{_REPO[1]}",
)


def _paragraphs(text: str) -> tuple[str, ...]:
    seen: set[str] = set()
    kept = []
    for block in text.replace("\r\n", "\n").split("\n"):
        block = " ".join(block.split())
        if block and block not in seen:  # the lead paragraph is often printed twice
            seen.add(block)
            kept.append(block)
    return tuple(kept)


@functools.lru_cache(maxsize=1)
def _articles() -> tuple[NewsArticle, ...]:
    articles = []
    for number, (name, _, _) in enumerate(KINYARWANDA_NEWS_FILES):
        path = data_path("kinyarwanda-news", name)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            raise ValueError(f"kinyarwanda-news/{name}: expected UTF-8 text, could not decode it ({err})") from err
        paragraphs = _paragraphs(text)
        if not paragraphs:
            raise ValueError(f"kinyarwanda-news/{name}: expected an article with at least one paragraph, got an "
                             f"empty file")
        slug = name[:-len(".txt")]
        articles.append(NewsArticle(f"a{number:03d}", slug, slug.replace("-", " "), paragraphs))
    return tuple(articles)


def load_kinyarwanda_news(limit: int | None = None) -> list[NewsArticle]:
    """The articles in file-name order (the first ``limit`` when given), as frozen :class:`NewsArticle`.

    Introduced in chapter 2 (:doc:`02_kinyacolbert`).
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be None or an int >= 1, got {limit!r}")
    articles = list(_articles())
    return articles if limit is None else articles[:limit]


register(_INFO, loader=load_kinyarwanda_news)
