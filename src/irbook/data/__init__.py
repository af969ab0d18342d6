"""The book's data sets: a registry of pinned files, the types loaders return, and the loaders themselves.

Three modules, one job each:

- :mod:`irbook.data.registry`: :class:`DatasetInfo` / :class:`RemoteFile`, :func:`~irbook.data.registry.register`, :func:`data_path`
  (mirror, cache or verified download) and :func:`~irbook.data.registry.load` (any registered set by name);
- :mod:`irbook.data.types`: :class:`Corpus` and :class:`Queries` (one base, :class:`Records`),
  :class:`RetrievalDataset`, :class:`NERSentence`;
- :mod:`irbook.data.loaders`: the text sets (HotpotQA-100, MuSiQue-100, NQ-open, Cranfield, CISI, LIAR,
  LIAR-PLUS, CrossNER), registered with their loaders when this package is imported;
- one module per set added later (:mod:`irbook.data.kinyarwanda_news`, :mod:`irbook.data.masakhaner_kin`,
  :mod:`irbook.data.obliqa`, :mod:`irbook.data.personabench`, :mod:`irbook.data.locomo`,
  :mod:`irbook.data.charades_sta`, :mod:`irbook.data.qvhighlights`), each registering its set when imported here.

The data layer knows nothing of the modules that use it. The image and video sets (``coco-mini``, ``videos``)
register themselves in :mod:`irbook.vision.media` through :func:`~irbook.data.registry.register`; ``load("coco-mini")`` imports that
module on first use because the package root declares it as the set's provider (``irbook.DATA_PROVIDERS``).
Every public name is importable from ``irbook.data`` directly.

Introduced in chapter 1 (:doc:`01_rag_map`).
"""
from irbook.data import loaders, registry, types
# One module per set added after chapter 1; each registers its set when imported.
from irbook.data import (charades_sta, kinyarwanda_news, locomo, masakhaner_kin, obliqa, personabench,
                         qvhighlights)
from irbook.data.charades_sta import load_charades_sta
from irbook.data.kinyarwanda_news import load_kinyarwanda_news
from irbook.data.locomo import load_locomo
from irbook.data.masakhaner_kin import load_masakhaner_kin
from irbook.data.obliqa import load_obliqa
from irbook.data.personabench import load_personabench
from irbook.data.qvhighlights import load_qvhighlights
from irbook.data.loaders import (CROSSNER_DOMAINS, LIAR_COLUMNS, LIAR_LABELS, LIAR_PLUS_COLUMNS, bio_to_spans,
                                 crossner_entity_types, load_cisi, load_cranfield, load_crossner, load_hotpotqa,
                                 load_liar, load_liar_plus, load_musique, load_nq_open, parse_smart)
from irbook.data.registry import (REGISTRY, ChecksumError, DataNotFoundError, DatasetInfo, RemoteFile, data_path,
                                  dataset_info, fetch_dataset, fetch_url, github_files, load, register,
                                  registered_names, verify_file)
from irbook.data.types import Corpus, NERSentence, Qrels, Queries, Records, RetrievalDataset

__all__ = [
    "RemoteFile", "DatasetInfo", "REGISTRY", "register", "registered_names", "DataNotFoundError", "ChecksumError",
    "dataset_info", "data_path", "fetch_dataset", "fetch_url", "verify_file", "github_files",
    "Records", "Corpus", "Queries", "Qrels", "RetrievalDataset", "NERSentence",
    "LIAR_LABELS", "LIAR_COLUMNS", "LIAR_PLUS_COLUMNS", "CROSSNER_DOMAINS",
    "parse_smart", "load", "load_hotpotqa", "load_musique", "load_nq_open", "load_cranfield", "load_cisi",
    "load_liar", "load_liar_plus", "load_crossner", "crossner_entity_types", "bio_to_spans",
    "load_obliqa", "load_personabench", "load_locomo", "load_kinyarwanda_news", "load_masakhaner_kin",
    "load_charades_sta", "load_qvhighlights",
]
