"""irbook: the shared package of *Retrieval Frontiers*, an executable textbook.

The chapters grow this package one concept at a time (as in d2l). Start every chapter with
``settings = irbook.setup(DEVICE, SCALE, SEED)`` (:func:`irbook.setup`). Its modules, one job each:

- :mod:`irbook.data`: the data-set registry, the types loaders return (corpus, queries, qrels, answers) and the
  loaders of the text sets
- :mod:`irbook.formats`: standard collection formats in and out (TREC, SMART, BEIR, ``ir_datasets``, TREC runs)
- :mod:`irbook.models`: the text embedder (with an embedding cache)
- :mod:`irbook.llm`: the LLM loader and its two backends (transformers for internals, llama.cpp for fast
  generation): chat, generation (with a generation cache), log-probabilities, hidden states, forward hooks
- :mod:`irbook.model_registry`: the default model files, each with its source, size, sha256 and licence
- :mod:`irbook.retrieval`: BM25, dense, hybrid (RRF) and rerank, one ``search(queries, k)`` protocol
- :mod:`irbook.evaluation`: IR, QA, classification, detection and image-text metrics, paired significance tests
- :mod:`irbook.vision`: generated scenes and videos, COCO-mini and real clips, OCR and an image-text model
- :mod:`irbook.widgets`: interactive views on one small base (:class:`irbook.widgets.View`), logic testable
  headless
- :mod:`irbook.plots`: the book's plotly theme and common figures
- :mod:`irbook.runtime`: :func:`~irbook.setup`, seeds, devices, quiet libraries, run times
- :mod:`irbook.cache`: the user cache folder, atomic cache writes and the SQLite store behind the run-time caches
- :mod:`irbook.chapters`: modules generated from the notebooks' ``#| export`` cells (never edited by hand), e.g.
  retrievability scores and Gini coefficients in :mod:`irbook.chapters.ch13_t_retrievability` (chapter 13)
"""
from irbook.runtime import DEFAULT_SEED, Settings

__version__ = "0.1.0"

#: Data sets described outside :mod:`irbook.data`: set name -> the module that registers it when imported.
#: :func:`irbook.data.dataset_info` imports the module on first use, so the data layer names no other layer.
DATA_PROVIDERS: dict[str, str] = {"coco-mini": "irbook.vision.media", "videos": "irbook.vision.media"}

__all__ = ["setup", "Settings", "DATA_PROVIDERS", "__version__"]


def setup(device: str = "auto", scale: str = "small", seed: int = DEFAULT_SEED) -> Settings:
    """The one call at the top of every chapter: ``settings = irbook.setup(DEVICE, SCALE, SEED)``.

    Parameters
    ----------
    device : str
        ``"auto"`` (a GPU when PyTorch sees one, else the CPU), ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.
    scale : str
        ``"small"`` (CPU, tests) or ``"full"`` (GPU); anything else raises ``ValueError``.
    seed : int
        Seeds Python, NumPy and PyTorch.

    Returns
    -------
    irbook.runtime.Settings
        The resolved ``device``, ``scale`` and ``seed`` (``settings.device`` is what models take).

    Besides seeding and resolving the device it silences progress bars (tqdm, transformers,
    sentence-transformers, huggingface_hub) and known library warnings, sets pandas display options so that no
    table column is truncated (:func:`irbook.runtime.configure`), and applies the plotly book theme
    (:func:`irbook.plots.use_book_theme`).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    from irbook import plots, runtime

    settings = runtime.configure(device, scale, seed)
    plots.use_book_theme()
    return settings
