"""irbook: the shared package of *Retrieval Frontiers*, an executable textbook.

The chapters grow this package one concept at a time (as in d2l). Its modules, one job each:

- :mod:`irbook.data`: the data-set registry and typed loaders (corpus, queries, qrels, answers)
- :mod:`irbook.models`: the text embedder (with an embedding cache) and the LLM loader
- :mod:`irbook.llm`: chat, generation, log-probabilities and hidden states of a causal LM
- :mod:`irbook.retrieval`: BM25, dense, hybrid (RRF) and rerank, one ``search(queries, k)`` protocol
- :mod:`irbook.evaluation`: IR, QA and classification metrics, paired significance tests
- :mod:`irbook.widgets`: the result browser and the threshold explorer (logic testable headless)
- :mod:`irbook.plots`: the book's plotly theme and common figures
- :mod:`irbook.runtime`, :mod:`irbook.cache`: seeds, devices, and atomic cache writes
"""
__version__ = "0.1.0"
