"""Tests of irbook.data: the registry against the mirror, file resolution (mirror -> cache -> verified download),
and each loader's counts, ids and known records.

Resolution tests use a toy data set served from a file:// URL in a temporary folder, so they need no network.
Loader tests read the mirror named by IRBOOK_DATA and are skipped, with a reason, when it is unset.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import urllib.error
from pathlib import Path

import pandas as pd
import pytest

from irbook import data as D

MIRROR = os.environ.get("IRBOOK_DATA")
needs_mirror = pytest.mark.skipif(
    not MIRROR, reason="IRBOOK_DATA is not set: point it at the data mirror (e.g. ../shared/data) to run the loaders")
BOOK_SETS = ("hotpotqa-100", "musique-100", "nq-open", "cranfield", "cisi", "liar", "liar-plus", "crossner",
             "obliqa", "personabench", "locomo", "kinyarwanda-news", "masakhaner-kin", "charades-sta",
             "qvhighlights")

TOY_BYTES = b"a small but real file\n" * 50


# --------------------------------------------------------------------------------------------------------------
# Fixtures: a toy data set whose "upstream" is a local file, and isolated mirror/cache folders.
# --------------------------------------------------------------------------------------------------------------

@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A registered data set "toy" with one file served from file://; IRBOOK_DATA/IRBOOK_CACHE in tmp."""
    upstream = tmp_path / "upstream" / "toy.txt"
    upstream.parent.mkdir()
    upstream.write_bytes(TOY_BYTES)
    remote = D.RemoteFile("toy.txt", upstream.as_uri(), hashlib.sha256(TOY_BYTES).hexdigest(), len(TOY_BYTES))
    info = D.DatasetInfo("toy", "a test set", (remote,), "CC0", "nobody (2024)", "https://example.org")
    monkeypatch.setitem(D.REGISTRY, "toy", info)
    mirror, cache = tmp_path / "mirror", tmp_path / "cache"
    mirror.mkdir()
    monkeypatch.setenv("IRBOOK_DATA", str(mirror))
    monkeypatch.setenv("IRBOOK_CACHE", str(cache))
    monkeypatch.delenv("IRBOOK_OFFLINE", raising=False)

    calls = []
    real_fetch = D.fetch_url

    def counting_fetch(url, dest, timeout=60.0):
        calls.append(url)
        real_fetch(url, dest, timeout)

    monkeypatch.setattr(D.registry, "fetch_url", counting_fetch)
    return {"remote": remote, "mirror": mirror, "cache": cache / "data" / "toy", "calls": calls}


# --------------------------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------------------------

def test_registry_has_the_book_sets_with_pinned_github_urls():
    assert set(BOOK_SETS) <= set(D.REGISTRY)
    for name in BOOK_SETS:
        info = D.REGISTRY[name]
        assert info.name == name and info.files and info.licence and info.citation and info.bibtex_key
        assert info.homepage.startswith("http")
        for remote in info.files:
            assert remote.url.startswith("https://raw.githubusercontent.com/"), remote.url
            assert len(remote.sha256) == 64 and remote.size > 0
    hotpot = D.REGISTRY["hotpotqa-100"].file("questions.json")
    assert hotpot.url.endswith("/OSU-NLP-Group/HippoRAG/b144c46/data/hotpotqa_train.json")
    assert D.REGISTRY["crossner"].file("ai/train.txt").url.endswith("/ner_data/ai/train.txt")


@needs_mirror
@pytest.mark.parametrize("name", BOOK_SETS)
def test_registry_checksums_match_the_mirror(name):
    for remote in D.REGISTRY[name].files:
        path = Path(MIRROR) / name / remote.local_name
        assert path.stat().st_size == remote.size, path
        assert D.registry.sha256_file(path) == remote.sha256, path


def test_unknown_set_and_file_errors_list_the_known_ones():
    with pytest.raises(ValueError, match="known data sets:.*cranfield.*hotpotqa-100"):
        D.data_path("hotpot", "corpus.json")
    with pytest.raises(ValueError, match="unknown data set"):
        D.load("no-such-set")
    with pytest.raises(ValueError, match="its files are: .*cran.qry"):
        D.data_path("cranfield", "cran.all")


# --------------------------------------------------------------------------------------------------------------
# Resolution: mirror, then cache, then verified download
# --------------------------------------------------------------------------------------------------------------

def test_resolution_order_download_then_cache_then_mirror(toy):
    first = D.data_path("toy", "toy.txt")  # in neither mirror nor cache: downloaded into the cache
    assert first == toy["cache"] / "toy.txt" and first.read_bytes() == TOY_BYTES
    assert toy["calls"] == [toy["remote"].url]

    assert D.data_path("toy", "toy.txt") == first  # now from the cache, no second download
    assert len(toy["calls"]) == 1

    (toy["mirror"] / "toy").mkdir()
    (toy["mirror"] / "toy" / "toy.txt").write_bytes(TOY_BYTES)
    assert D.data_path("toy", "toy.txt") == toy["mirror"] / "toy" / "toy.txt"  # the mirror wins over the cache
    assert len(toy["calls"]) == 1


def test_corrupt_mirror_file_is_reported_left_alone_and_skipped(toy):
    bad = toy["mirror"] / "toy" / "toy.txt"
    bad.parent.mkdir()
    bad.write_bytes(TOY_BYTES[:-1] + b"!")  # same size, different content
    with pytest.warns(UserWarning, match="IRBOOK_DATA.*checksum"):
        path = D.data_path("toy", "toy.txt")
    assert path == toy["cache"] / "toy.txt" and path.read_bytes() == TOY_BYTES
    assert bad.read_bytes().endswith(b"!")  # the read-only mirror is never modified


def test_corrupt_cache_file_is_deleted_and_refetched(toy):
    cached = toy["cache"] / "toy.txt"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"truncated")
    with pytest.warns(UserWarning, match="fails its checksum"):
        path = D.data_path("toy", "toy.txt")
    assert path == cached and cached.read_bytes() == TOY_BYTES
    assert toy["calls"] == [toy["remote"].url]


def test_interrupted_download_never_lands_in_the_cache(toy, monkeypatch):
    def dies_halfway(url, dest, timeout=60.0):
        Path(dest).write_bytes(TOY_BYTES[: len(TOY_BYTES) // 2])
        raise ConnectionResetError("connection reset by peer")

    monkeypatch.setattr(D.registry, "fetch_url", dies_halfway)
    with pytest.raises(D.DataNotFoundError, match="connection reset"):
        D.data_path("toy", "toy.txt")
    assert not toy["cache"].exists() or list(toy["cache"].iterdir()) == []  # no partial file, no temp file


def test_download_with_wrong_content_raises_checksum_error_and_writes_nothing(toy, monkeypatch):
    monkeypatch.setattr(D.registry, "fetch_url", lambda url, dest, timeout=60.0: Path(dest).write_bytes(TOY_BYTES[:-5]))
    with pytest.raises(D.ChecksumError, match="does not match the registry"):
        D.data_path("toy", "toy.txt")
    assert list(toy["cache"].iterdir()) == []


def test_missing_everywhere_offline_names_set_file_url_and_both_remedies(toy, monkeypatch):
    monkeypatch.setenv("IRBOOK_OFFLINE", "1")
    with pytest.raises(D.DataNotFoundError) as caught:
        D.data_path("toy", "toy.txt")
    message = str(caught.value)
    for needle in ("'toy'", "toy.txt", toy["remote"].url, "IRBOOK_DATA", "network"):
        assert needle in message
    assert toy["calls"] == []


def test_missing_real_set_when_the_network_fails(tmp_path, monkeypatch):
    monkeypatch.delenv("IRBOOK_DATA", raising=False)
    monkeypatch.delenv("IRBOOK_OFFLINE", raising=False)
    monkeypatch.setenv("IRBOOK_CACHE", str(tmp_path))

    def no_network(url, dest, timeout=60.0):
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr(D.registry, "fetch_url", no_network)
    with pytest.raises(D.DataNotFoundError) as caught:
        D.data_path("cisi", "CISI.REL")
    message = str(caught.value)
    assert "'cisi'" in message and D.REGISTRY["cisi"].file("CISI.REL").url in message
    assert isinstance(caught.value, FileNotFoundError)


@needs_mirror
def test_real_registry_entry_downloads_from_its_url_and_verifies(tmp_path, monkeypatch):
    """Without a mirror, a real file is fetched from its pinned URL (served here from the mirror's bytes)."""
    monkeypatch.delenv("IRBOOK_DATA", raising=False)
    monkeypatch.delenv("IRBOOK_OFFLINE", raising=False)
    monkeypatch.setenv("IRBOOK_CACHE", str(tmp_path))
    remote = D.REGISTRY["cranfield"].file("cranqrel.readme")
    requested = []

    def github_from_mirror(url, dest, timeout=60.0):
        requested.append(url)
        shutil.copyfile(Path(MIRROR) / "cranfield" / "cranqrel.readme", dest)

    monkeypatch.setattr(D.registry, "fetch_url", github_from_mirror)
    path = D.data_path("cranfield", "cranqrel.readme")
    assert requested == [remote.url]
    assert path == tmp_path / "data" / "cranfield" / "cranqrel.readme"
    assert "Cleverdon" in path.read_text()


def test_checksums_are_memoised_until_the_file_changes(toy, monkeypatch):
    hashed = []
    real_sha = D.registry.sha256_file
    monkeypatch.setattr(D.registry, "sha256_file", lambda p: hashed.append(p) or real_sha(p))
    (toy["mirror"] / "toy").mkdir()
    mirror_file = toy["mirror"] / "toy" / "toy.txt"
    mirror_file.write_bytes(TOY_BYTES)
    for _ in range(3):
        D.data_path("toy", "toy.txt")
    assert len(hashed) == 1
    mirror_file.write_bytes(TOY_BYTES[:-1] + b"?")  # changed on disk: hashed again, and rejected
    with pytest.warns(UserWarning):
        D.data_path("toy", "toy.txt")
    assert len(hashed) >= 2


# --------------------------------------------------------------------------------------------------------------
# Types
# --------------------------------------------------------------------------------------------------------------

def test_corpus_and_queries_helpers_and_validation():
    corpus = D.Corpus(["a", "b"], ["A", "B"], ["text a", "text b"], [{"year": 1}, {"year": 2}])
    assert len(corpus) == 2 and corpus.index_of("b") == 1 and corpus.doc("a")["text"] == "text a"
    assert corpus[1] == {"id": "b", "title": "B", "text": "text b", "metadata": {"year": 2}}
    assert list(corpus.to_frame().columns) == ["id", "title", "text", "year"]
    with pytest.raises(KeyError, match="'z'"):
        corpus.index_of("z")
    with pytest.raises(ValueError, match="unique"):
        D.Corpus(["a", "a"], ["", ""], ["", ""])
    with pytest.raises(ValueError, match="2 ids but 1 texts"):
        D.Corpus(["a", "b"], ["", ""], [""])
    with pytest.raises(TypeError, match="str"):
        D.Queries([1, 2], ["q1", "q2"])
    queries = D.Queries(["q1"], ["what?"])
    with pytest.raises(ValueError, match="missing from the corpus"):
        D.RetrievalDataset("x", corpus, queries, {"q1": {"zz": 1}})
    with pytest.raises(ValueError, match="unknown query"):
        D.RetrievalDataset("x", corpus, queries, {"q9": {"a": 1}})


def test_bio_to_spans():
    assert D.bio_to_spans(["B-per", "I-per", "O", "I-loc", "B-loc", "B-org", "I-per"]) == (
        (0, 2, "per"), (3, 4, "loc"), (4, 5, "loc"), (5, 6, "org"), (6, 7, "per"))
    with pytest.raises(ValueError, match="malformed BIO tag"):
        D.bio_to_spans(["B-per", "X"])


def test_parse_smart_joins_repeated_sections_and_rejects_stray_text():
    records = D.parse_smart(".I 7\n.T\nA title\n.A\nOne, A.\n.A \nTwo, B.\n.W\nbody\n")
    assert records == [{"I": "7", "T": "A title\n", "A": "One, A.\n\nTwo, B.\n", "W": "body\n"}]
    with pytest.raises(ValueError, match="outside any section"):
        D.parse_smart("stray\n.I 1\n")


# --------------------------------------------------------------------------------------------------------------
# Loaders (need the mirror)
# --------------------------------------------------------------------------------------------------------------

def _check_qrels_ids(dataset):
    assert dataset.qrels, dataset.name
    for query_id, judged in dataset.qrels.items():
        assert query_id in dataset.queries
        for doc_id, grade in judged.items():
            assert doc_id in dataset.corpus and isinstance(grade, int) and grade > 0


@needs_mirror
def test_hotpotqa():
    ds = D.load_hotpotqa()
    assert len(ds.queries) == 100 and len(ds.corpus) == 994 and len(ds.qrels) == 100
    _check_qrels_ids(ds)
    assert len(set(ds.corpus.ids)) == 994
    q = ds.queries.query("5a77ec115542992a6e59dff7")
    assert q["text"] == "If Gallu is a demon Lilu is what?" and q["metadata"]["type"] == "bridge"
    assert ds.answers[q["id"]] == ["a spirit"]
    assert {ds.corpus.doc(d)["title"] for d in ds.qrels[q["id"]]} == {"Alû", "Lilu (mythology)"}
    assert ds.corpus.doc(ds.corpus.ids[0])["title"] == "Demon Dice"


@needs_mirror
def test_musique():
    ds = D.load_musique()
    assert len(ds.queries) == 100 and len(ds.corpus) == 1890
    _check_qrels_ids(ds)
    hops = [m["hops"] for m in ds.queries.metadata]
    assert hops.count(2) == 68 and sum(h >= 3 for h in hops) == 32
    qid = "2hop__150763_14904"
    assert ds.answers[qid] == ["G. Stanley Hall", "Stanley Hall"]
    steps = ds.queries.query(qid)["metadata"]["decomposition"]
    assert [ds.corpus.doc(s["doc_id"])["title"] for s in steps] == ["Journal of Psychotherapy Integration",
                                                                     "Adolescence"]
    for query_id, meta in zip(ds.queries.ids, ds.queries.metadata):
        assert {s["doc_id"] for s in meta["decomposition"]} == set(ds.qrels[query_id])


@needs_mirror
def test_nq_open():
    ds = D.load_nq_open()
    assert ds.corpus is None and ds.qrels == {} and len(ds.queries) == 3610
    assert ds.queries[0]["text"] == "when was the last time anyone was on the moon"
    assert ds.answers[ds.queries.ids[0]] == ["14 December 1972 UTC", "December 1972"]


@needs_mirror
def test_cranfield_numbers_queries_by_order_and_converts_grades_to_gains():
    ds = D.load_cranfield()
    assert len(ds.corpus) == 1400 and len(ds.queries) == 225 and len(ds.qrels) == 225
    _check_qrels_ids(ds)
    assert ds.queries.ids == [str(i) for i in range(1, 226)]
    third = ds.queries.query("3")  # the third query is .I 004 in cran.qry; cranqrel calls it 3
    assert third["metadata"]["original_id"] == "4" and third["text"].startswith("what problems of heat conduction")
    assert ds.qrels["1"]["184"] == 3 and ds.qrels["1"]["13"] == 1  # codes 2 and 4 -> gains 3 and 1
    assert "486" not in ds.qrels["1"]  # the -1 row is dropped
    assert sum(len(j) for j in ds.qrels.values()) == 1837 - 225
    assert set(g for j in ds.qrels.values() for g in j.values()) == {1, 2, 3, 4}
    assert ds.corpus.doc("1")["title"] == "experimental investigation of the aerodynamics of a wing in a slipstream ."


@needs_mirror
def test_cisi_keeps_all_queries_of_which_76_are_judged():
    ds = D.load_cisi()
    assert len(ds.corpus) == 1460 and len(ds.queries) == 112 and len(ds.qrels) == 76
    _check_qrels_ids(ds)
    assert sum(len(j) for j in ds.qrels.values()) == 3114
    doc = ds.corpus.doc("1")
    assert doc["title"] == "18 Editions of the Dewey Decimal Classifications"
    assert doc["metadata"]["authors"] == ["Comaromi, J.P."] and (92, 1, 1) in doc["metadata"]["cross_refs"]
    assert ds.queries.query("1")["text"].startswith("What problems and concerns are there")


@needs_mirror
def test_liar():
    sizes = {"train": 10269, "valid": 1284, "test": 1283}
    for split, n in sizes.items():
        frame = D.load_liar(split)
        assert frame.shape == (n, 14) and list(frame.columns) == list(D.LIAR_COLUMNS)
        assert frame["id"].is_unique and set(frame["label"]) == set(D.LIAR_LABELS)
    assert D.LIAR_LABELS[0] == "pants-fire" and D.LIAR_LABELS[-1] == "true" and len(D.LIAR_LABELS) == 6
    row = D.load_liar("train").iloc[0]
    assert row["id"] == "2635.json" and row["label"] == "false" and row["speaker"] == "dwayne-bohac"
    assert row["statement"].startswith("Says the Annies List political group")
    assert row["party"] == "republican" and row["context"] == "a mailer" and row["false_counts"] == 1
    assert pd.api.types.is_integer_dtype(D.load_liar("valid")["pants_on_fire_counts"])


@needs_mirror
def test_liar_plus_joins_liar_and_holds_justifications():
    for split, liar_split, n in (("val", "valid", 1284), ("test", "test", 1283)):
        plus = D.load_liar_plus(split)
        assert plus.shape == (n, len(D.LIAR_PLUS_COLUMNS)) and plus["id"].is_unique
        liar = D.load_liar(liar_split)[["id", "state", "label"]]
        joined = plus.merge(liar, on="id", how="left", suffixes=("", "_liar"), validate="one_to_one")
        assert (joined["state"] == joined["state_liar"]).all()  # upstream's "party" field is the state
        assert (joined["label"] == joined["label_liar"]).all()
        assert (plus["justification"].str.len() > 0).mean() > 0.98


@needs_mirror
def test_crossner():
    expected = {"ai": (100, 350, 431, 14), "literature": (100, 400, 416, 12), "music": (100, 380, 465, 13),
                "politics": (200, 541, 651, 9), "science": (200, 450, 543, 17)}
    for domain, (train, dev, test, n_types) in expected.items():
        assert [len(D.load_crossner(domain, s)) for s in ("train", "dev", "test")] == [train, dev, test]
        assert len(D.crossner_entity_types(domain)) == n_types
    assert D.crossner_entity_types("conll2003") == ("location", "misc", "organisation", "person")
    first = D.load_crossner("ai", "train")[0]
    assert first.tokens[:4] == ("Popular", "approaches", "of", "opinion-based")
    assert first.spans[0] == (3, 6, "product") and first.entities()[0] == ("opinion-based recommender system",
                                                                          "product")
    assert len(D.load_crossner("conll2003", "train")) == 14041


@needs_mirror
def test_load_dispatches_and_validates_arguments():
    assert len(D.load("liar", split="test")) == 1283
    assert len(D.load("crossner", domain="music", split="valid")) == 380  # "valid" is an alias of dev
    with pytest.raises(ValueError, match="valid splits: train, valid, test"):
        D.load_liar("training")
    with pytest.raises(ValueError, match=r"valid splits: val \(or valid\), test"):
        D.load_liar_plus("train")
    with pytest.raises(ValueError, match="domains: ai, literature, music, politics, science, conll2003"):
        D.load_crossner("medicine")
    with pytest.raises(ValueError, match="splits: train, dev, test"):
        D.load_crossner("ai", "all")


@needs_mirror
def test_loaded_objects_cannot_corrupt_later_loads():
    first = D.load_musique()
    first.corpus.texts[0] = "vandalised"
    first.queries.metadata[0]["decomposition"].clear()
    first.qrels.clear()
    frame = D.load_liar("valid")
    frame.loc[0, "label"] = "vandalised"
    sentences = D.load_crossner("ai", "train")
    sentences.clear()
    again = D.load_musique()
    assert again.corpus.texts[0] != "vandalised" and again.queries.metadata[0]["decomposition"]
    assert len(again.qrels) == 100
    assert D.load_liar("valid").loc[0, "label"] != "vandalised"
    assert len(D.load_crossner("ai", "train")) == 100


@needs_mirror
def test_sample_takes_queries_with_their_qrels_and_answers():
    ds = D.load_hotpotqa()
    small = ds.sample(10, seed=3)
    assert len(small.queries) == 10 and set(small.qrels) == set(small.queries.ids) == set(small.answers)
    assert small.corpus is ds.corpus
    assert small.queries.ids == ds.sample(10, seed=3).queries.ids
    assert small.queries.ids != ds.sample(10, seed=4).queries.ids
    with pytest.raises(ValueError, match="between 1 and 100"):
        ds.sample(101)


# --------------------------------------------------------------------------------------------------------------
# The package's shape: registry hook, providers, one base for Corpus/Queries, no import cycle
# --------------------------------------------------------------------------------------------------------------

def test_every_public_name_is_importable_from_irbook_data():
    for name in D.__all__:
        assert hasattr(D, name), name


def test_corpus_and_queries_share_one_base():
    assert issubclass(D.Corpus, D.Records) and issubclass(D.Queries, D.Records)
    queries = D.Queries(["q1", "q2"], ["a?", "b?"])
    assert queries.query("q2") == queries.doc("q2") == {"id": "q2", "text": "b?", "metadata": {}}
    assert repr(queries) == "Queries(2 queries)"
    with pytest.raises(KeyError, match="no query with id 'q9'"):
        queries.index_of("q9")
    assert list(D.Corpus(["a"], ["T"], ["x"]).to_frame().columns) == ["id", "title", "text"]


def test_register_hook_with_a_loader_and_load_errors(monkeypatch):
    info = D.DatasetInfo("toy-loaded", "a test set", (), "CC0", "nobody (2024)", "https://example.org")
    monkeypatch.setitem(D.REGISTRY, "toy-loaded", info)
    monkeypatch.setitem(D.registry._LOADERS, "toy-loaded", lambda size=2: list(range(size)))
    assert D.load("toy-loaded", size=3) == [0, 1, 2]
    with pytest.raises(TypeError, match="DatasetInfo"):
        D.register("toy")
    with pytest.raises(ValueError, match="unknown data set 'nope'; known data sets: .*coco-mini.*videos"):
        D.load("nope")
    bare = D.DatasetInfo("toy-bare", "no loader", (), "CC0", "nobody", "https://example.org")
    monkeypatch.setitem(D.REGISTRY, "toy-bare", bare)
    with pytest.raises(ValueError, match="registered without a loader"):
        D.load("toy-bare")


def test_data_layer_imports_nothing_of_vision_and_load_finds_the_vision_sets():
    """In a fresh interpreter: importing irbook.data loads no vision module; dataset_info('coco-mini') does."""
    code = ("import sys; from irbook import data; "
            "assert not [m for m in sys.modules if m.startswith('irbook.vision')]; "
            "info = data.dataset_info('coco-mini'); assert 'irbook.vision.media' in sys.modules; "
            "assert {'coco-mini', 'videos'} <= set(data.registered_names()); print(info.name)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "coco-mini"


@needs_mirror
def test_load_works_for_every_registered_set():
    loaded = {name: D.load(name) for name in D.registered_names()}
    assert len(loaded["coco-mini"]) == 79 and "vtest.avi" in loaded["videos"]
    assert all(value is not None for value in loaded.values())


def test_no_import_cycle_in_the_package():
    import_graph = _import_graph()
    cycles = [m for m in import_graph if _reaches(import_graph, m, m)]
    assert not cycles, f"import cycles through {cycles}"
    assert not [m for m in import_graph["irbook.data.registry"] | import_graph["irbook.data.loaders"]
                if m.startswith("irbook.vision")]


def _import_graph() -> dict[str, set[str]]:
    """irbook module -> the irbook modules it imports (module level and inside functions), from the source."""
    import ast

    root = Path(D.__file__).resolve().parents[1]
    graph: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names if a.name.startswith("irbook")}
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("irbook"):
                targets |= {(node.module, f"{node.module}.{a.name}") for a in node.names}
        graph[module] = targets
    # ``from irbook import plots`` imports the module irbook.plots; ``from irbook.data import Corpus`` imports
    # irbook.data.
    return {m: {t for t in ((t if isinstance(t, str) else t[1] if t[1] in graph else t[0]) for t in ts)
                if t in graph and t != m} for m, ts in graph.items()}


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), list(graph[start])
    while todo:
        module = todo.pop()
        if module == goal:
            return True
        if module not in seen:
            seen.add(module)
            todo += graph.get(module, ())
    return False
