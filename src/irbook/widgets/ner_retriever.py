"""Ad-hoc named-entity retrieval: score sentences by their best entity mention, R-precision, and an explorer
where a reader types a free-text type description and sees the retrieved sentences with the mention marked.

Introduced in chapter 3 (:doc:`03_ner_retriever`). The logic (:func:`sentence_scores`, :func:`r_precision`,
:func:`mark_mention`, :meth:`EntityRetrieverExplorer.search`, :meth:`EntityRetrieverExplorer.render`) runs
headless so that tests can drive it; :meth:`EntityRetrieverExplorer.widget` wraps it in ipywidgets.
"""
from __future__ import annotations

import html
from collections.abc import Callable, Sequence

import numpy as np

from irbook.evaluation import r_precision  # noqa: F401  (moved to irbook.evaluation; kept importable here)

_CELL = "padding:4px 8px;vertical-align:top;border-bottom:1px solid #e5e5e5;"
_MARK = "background:#ffe08a;padding:0 2px;border-radius:3px;"


def sentence_scores(mention_scores, mention_sentence, n_sentences: int) -> np.ndarray:
    """Each sentence's score is its best mention's score (``-inf`` for a sentence without mentions).

    A document is relevant to a type when *some* mention in it has that type, so the max over its mentions is
    the natural document score. Introduced in chapter 3 (:doc:`03_ner_retriever`).
    """
    mention_scores = np.asarray(mention_scores, dtype=float)
    mention_sentence = np.asarray(mention_sentence)
    if mention_scores.ndim != 1 or mention_scores.shape != mention_sentence.shape:
        raise ValueError(f"mention_scores {mention_scores.shape} and mention_sentence {mention_sentence.shape} "
                         "must be 1-D arrays of the same length")
    if mention_sentence.size and (mention_sentence.min() < 0 or mention_sentence.max() >= n_sentences):
        raise ValueError(f"mention_sentence holds indices outside 0..{n_sentences - 1}")
    scores = np.full(int(n_sentences), -np.inf)
    np.maximum.at(scores, mention_sentence.astype(int), mention_scores)
    return scores


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


class EntityRetrieverExplorer:
    """Retrieve sentences for a free-text entity-type description through mention embeddings.

    Parameters
    ----------
    sentences : the documents, each a sequence of word tokens.
    mentions : one ``(sentence_index, start_token, end_token_exclusive, gold_type)`` per embedded mention.
    mention_vectors : ``(n_mentions, dim)`` embeddings of the mentions (L2-normalised: scores are inner products).
    encode : maps a list of descriptions to an ``(n, dim)`` array in the same space (e.g. the LLM + projection).
    k : how many sentences to show.

    Introduced in chapter 3 (:doc:`03_ner_retriever`).
    """

    def __init__(self, sentences: Sequence[Sequence[str]], mentions: Sequence[tuple], mention_vectors,
                 encode: Callable[[list[str]], np.ndarray], k: int = 8):
        if not callable(encode):
            raise TypeError("encode must be a callable mapping a list of descriptions to an (n, dim) array")
        vectors = np.asarray(mention_vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(mentions) or len(mentions) == 0:
            raise ValueError(f"mention_vectors must be (n_mentions={len(mentions)}, dim), got {vectors.shape}")
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        self.sentences = [tuple(str(t) for t in s) for s in sentences]
        self.mentions = []
        for sentence, start, end, kind in mentions:
            if not 0 <= sentence < len(self.sentences):
                raise ValueError(f"mention sentence index {sentence} is outside 0..{len(self.sentences) - 1}")
            if not 0 <= start < end <= len(self.sentences[sentence]):
                raise ValueError(f"mention span ({start}, {end}) is outside sentence {sentence}")
            self.mentions.append((int(sentence), int(start), int(end), str(kind)))
        self.vectors = vectors
        self.encode = encode
        self.k = k
        self._sentence_of = np.array([m[0] for m in self.mentions])

    def _query_vector(self, description: str) -> np.ndarray:
        if not isinstance(description, str) or not description.strip():
            raise ValueError("the type description must be a non-empty string")
        vector = np.asarray(self.encode([description.strip()]), dtype=np.float32)
        if vector.shape != (1, self.vectors.shape[1]):
            raise ValueError(f"encode returned shape {vector.shape}, expected (1, {self.vectors.shape[1]})")
        return vector[0]

    def search(self, description: str, k: int | None = None) -> list[dict]:
        """The top sentences for ``description``: rank, sentence index, score, best mention and its gold type."""
        k = self.k if k is None else k
        scores = self.vectors @ self._query_vector(description)
        per_sentence = sentence_scores(scores, self._sentence_of, len(self.sentences))
        ranked = [i for i in np.argsort(-per_sentence, kind="stable") if np.isfinite(per_sentence[i])][:k]
        rows = []
        for rank, sentence in enumerate(ranked, start=1):
            candidates = np.flatnonzero(self._sentence_of == sentence)
            best = int(candidates[np.argmax(scores[candidates])])
            _, start, end, kind = self.mentions[best]
            tokens = self.sentences[sentence]
            rows.append({"rank": rank, "sentence": int(sentence), "score": float(per_sentence[sentence]),
                         "mention": " ".join(tokens[start:end]), "gold_type": kind, "start": start, "end": end})
        return rows

    def render(self, description: str, k: int | None = None) -> str:
        """The results as an HTML table: the best-matching mention of each sentence marked, its gold type shown."""
        rows = self.search(description, k)
        parts = ['<div class="irbook-ner" style="font-size:14px;line-height:1.45;">',
                 f"<div><b>Type description:</b> {html.escape(description.strip())}</div>",
                 '<table style="border-collapse:collapse;width:100%;"><thead><tr>']
        parts += [f'<th style="{_CELL}text-align:left;">{h}</th>' for h in ("#", "score", "sentence", "gold type")]
        parts.append("</tr></thead><tbody>")
        for row in rows:
            sentence = mark_mention(self.sentences[row["sentence"]], row["start"], row["end"])
            cells = [str(row["rank"]), f"{row['score']:.3f}", sentence, html.escape(row["gold_type"])]
            parts.append("<tr>" + "".join(f'<td style="{_CELL}">{c}</td>' for c in cells) + "</tr>")
        parts.append("</tbody></table></div>")
        return "".join(parts)

    def widget(self, description: str = "musical instrument"):
        """A text box (press Enter) above the rendered results; starts on ``description``."""
        import ipywidgets as w

        box = w.Text(value=description, description="type", continuous_update=False,
                     placeholder="e.g. space agency, programming language", layout=w.Layout(width="60%"))
        output = w.HTML(value=self.render(description))

        def show(change):
            try:
                output.value = self.render(change["new"])
            except ValueError as error:  # an empty box: say so instead of raising inside the callback
                output.value = f"<i>{html.escape(str(error))}</i>"

        box.observe(show, names="value")
        return w.VBox([box, output])
