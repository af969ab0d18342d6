"""The explorer of chapter 3: a reader types a free-text type description and sees the retrieved sentences, the
best-matching mention of each marked, its gold type beside it.

Introduced in chapter 3 (:doc:`03_ner_retriever`). Views only: the retrieval itself (the chapter's scoring
equation, :class:`irbook.chapters.ch03_ner_retriever.MentionIndex`) is written in the chapter's notebook and
exported to :mod:`irbook.chapters.ch03_ner_retriever`. :meth:`EntityRetrieverExplorer.search` and
:meth:`EntityRetrieverExplorer.render` run headless so that tests can drive them; the widget comes from
:class:`irbook.widgets.View`.
"""
from __future__ import annotations

import html
from collections.abc import Callable, Sequence

import numpy as np

from irbook.chapters.ch03_ner_retriever import MentionIndex
from irbook.widgets import CELL_STYLE, View

_MARK = "background:#ffe08a;padding:0 2px;border-radius:3px;"


def mark_mention(tokens: Sequence[str], start: int, end: int) -> str:
    """The sentence as escaped HTML with tokens ``start..end-1`` wrapped in ``<mark>``.

    Introduced in chapter 3 (:doc:`03_ner_retriever`).
    """
    tokens = [str(t) for t in tokens]
    if not 0 <= start < end <= len(tokens):
        raise ValueError(f"span ({start}, {end}) is outside the sentence's {len(tokens)} tokens")
    before = html.escape(" ".join(tokens[:start]))
    inside = html.escape(" ".join(tokens[start:end]))
    after = html.escape(" ".join(tokens[end:]))
    return " ".join(p for p in (before, f'<mark style="{_MARK}">{inside}</mark>', after) if p)


class EntityRetrieverExplorer(View):
    """Retrieve sentences for a free-text entity-type description through mention embeddings.

    Parameters
    ----------
    sentences : sequence of sequences of str
        The documents, each a sequence of word tokens.
    mentions : sequence of tuples
        One ``(sentence_index, start_token, end_token_exclusive, gold_type)`` per embedded mention.
    mention_vectors : array-like
        ``(n_mentions, dim)`` embeddings of the mentions (scores are inner products).
    encode : callable
        Maps a list of descriptions to an ``(n, dim)`` array in the same space (e.g. the LLM + projection).
    k : int
        How many sentences to show.

    Introduced in chapter 3 (:doc:`03_ner_retriever`).
    """

    def __init__(self, sentences: Sequence[Sequence[str]], mentions: Sequence[tuple], mention_vectors,
                 encode: Callable[[list[str]], np.ndarray], k: int = 8):
        if not callable(encode):
            raise TypeError("encode must be a callable mapping a list of descriptions to an (n, dim) array")
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        vectors = np.asarray(mention_vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(mentions) or len(mentions) == 0:
            raise ValueError(f"mention_vectors must be (n_mentions={len(mentions)}, dim), got {vectors.shape}")
        self.sentences = [tuple(str(t) for t in s) for s in sentences]
        self.mentions = []
        for sentence, start, end, kind in mentions:
            if not 0 <= sentence < len(self.sentences):
                raise ValueError(f"mention sentence index {sentence} is outside 0..{len(self.sentences) - 1}")
            if not 0 <= start < end <= len(self.sentences[sentence]):
                raise ValueError(f"mention span ({start}, {end}) is outside sentence {sentence}")
            self.mentions.append((int(sentence), int(start), int(end), str(kind)))
        self.index = MentionIndex().fit(vectors, [m[0] for m in self.mentions], len(self.sentences))
        self.encode = encode
        self.k = k

    def _query_vector(self, description: str) -> np.ndarray:
        if not isinstance(description, str) or not description.strip():
            raise ValueError("the type description must be a non-empty string")
        vector = np.asarray(self.encode([description.strip()]), dtype=np.float32)
        if vector.shape != (1, self.index.dim):
            raise ValueError(f"encode returned shape {vector.shape}, expected (1, {self.index.dim})")
        return vector[0]

    def search(self, description: str, k: int | None = None) -> list[dict]:
        """The top sentences for ``description``: rank, sentence index, score, best mention and its gold type.

        Introduced in chapter 3 (:doc:`03_ner_retriever`).
        """
        hits = self.index.search(self._query_vector(description), self.k if k is None else k)
        rows = []
        for rank, (sentence, score, mention) in enumerate(hits, start=1):
            _, start, end, kind = self.mentions[mention]
            rows.append({"rank": rank, "sentence": sentence, "score": score,
                         "mention": " ".join(self.sentences[sentence][start:end]), "gold_type": kind,
                         "start": start, "end": end})
        return rows

    def render(self, description: str, k: int | None = None) -> str:
        """The results as an HTML table: the best-matching mention of each sentence marked, its gold type shown.

        An empty description renders a short message instead of raising (a reader may clear the box).
        Introduced in chapter 3 (:doc:`03_ner_retriever`).
        """
        try:
            rows = self.search(description, k)
        except ValueError as error:
            return f'<div class="irbook-ner"><i>{html.escape(str(error))}</i></div>'
        parts = ['<div class="irbook-ner" style="font-size:14px;line-height:1.45;">',
                 f"<div><b>Type description:</b> {html.escape(description.strip())}</div>",
                 '<table style="border-collapse:collapse;width:100%;"><thead><tr>']
        parts += [f'<th style="{CELL_STYLE}text-align:left;">{h}</th>' for h in ("#", "score", "sentence", "gold type")]
        parts.append("</tr></thead><tbody>")
        for row in rows:
            sentence = mark_mention(self.sentences[row["sentence"]], row["start"], row["end"])
            cells = [str(row["rank"]), f"{row['score']:.3f}", sentence, html.escape(row["gold_type"])]
            parts.append("<tr>" + "".join(f'<td style="{CELL_STYLE}">{c}</td>' for c in cells) + "</tr>")
        parts.append("</tbody></table></div>")
        return "".join(parts)

    def controls(self, description: str = "musical instrument") -> dict:
        """A text box (press Enter to search) that starts on ``description``.

        Introduced in chapter 3 (:doc:`03_ner_retriever`).
        """
        import ipywidgets as w

        return {"description": w.Text(value=description, description="type", continuous_update=False,
                                       placeholder="e.g. space agency, programming language",
                                       layout=w.Layout(width="60%"))}
