"""Chapter 7 (token budgets and agentic retrieval): the chapter's code (irbook.chapters.ch07_legal_rag), the
ObliQA loader and the budget view, headless."""
import numpy as np
import pytest

from irbook.chapters.ch07_legal_rag import (AgenticRetriever, ChunkStore, OneShot, agent_prompt, context_metrics,
                                            count_tokens, greedy_fill, obligation_coverage, parse_action,
                                            split_sentences)
from irbook.widgets.legal_rag import BudgetExplorer, recall_curve


class WordTokenizer:
    """A stand-in with the ``tokenizers`` API: one token per word."""

    class _Encoding:
        def __init__(self, text):
            self.ids = list(range(len(text.split())))

    def encode_batch(self, texts, add_special_tokens=False):
        return [self._Encoding(t) for t in texts]


def unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def toy_embed(texts):
    # a deterministic bag-of-letters embedding: enough to make similar texts close
    out = np.zeros((len(texts), 26), dtype=np.float32)
    for i, t in enumerate(texts):
        for ch in t.lower():
            if "a" <= ch <= "z":
                out[i, ord(ch) - 97] += 1
    return unit(out + 1e-3)


def make_store():
    texts = ["A firm must report suspicious activity. Reports go to the FIU.",
             "A firm must report suspicious activity. Reports go to the FIU.",
             "Fees are payable annually.",
             "The regulator may impose a fine. Zebra quokka xylophone."]
    return ChunkStore.build([f"c{i}" for i in range(4)], texts, WordTokenizer(), toy_embed)


def test_count_tokens_and_sentences():
    assert count_tokens(["a b c", "d"], WordTokenizer()).tolist() == [3, 1]
    assert split_sentences("One rule applies. (a) Then another; Then a third.") == \
        ["One rule applies.", "(a) Then another;", "Then a third."]
    with pytest.raises(TypeError, match="texts must be a list"):
        count_tokens("a b c", WordTokenizer())


def test_greedy_fill_skips_what_does_not_fit():
    assert greedy_fill([5, 10, 3, 2], 10).tolist() == [True, False, True, True]
    assert not greedy_fill([5], 0).any()
    with pytest.raises(ValueError, match="budget"):
        greedy_fill([1, 2], -1)


def test_one_shot_fill_only_matches_greedy_fill_and_keeps_the_budget():
    store = make_store()
    query = toy_embed(["report suspicious activity"])[0]
    ranking = [0, 1, 2, 3]
    for budget in (3, 10, 15, 40):
        ctx = OneShot(budget).select(ranking, query, store)
        assert ctx.ids == [store.ids[r] for r, m in zip(ranking, greedy_fill(store.tokens[ranking], budget)) if m]
        assert ctx.total_tokens <= budget


def test_one_shot_steps_drop_duplicates_and_trim():
    store = make_store()
    query = toy_embed(["a firm must report suspicious activity"])[0]
    ctx = OneShot(100, dedupe_max_sim=0.99).select([0, 1, 2], query, store)
    assert ctx.ids == ["c0", "c2"] and ctx.dropped["dedupe"] == 1
    refined = OneShot(100, refine_min_sim=0.99).select([3], query, store)
    assert refined.tokens[0] < store.tokens[3]  # one of its two sentences is kept
    filtered = OneShot(100, filter_min_sim=0.999).select([0, 2, 3], query, store)
    assert filtered.dropped["filter"] >= 1


def test_one_shot_rejects_bad_arguments():
    with pytest.raises(ValueError, match="budget must be a positive int"):
        OneShot(0)
    with pytest.raises(ValueError, match="filter_min_sim"):
        OneShot(10, filter_min_sim=2.0)
    with pytest.raises(ValueError, match="query_vector must have shape"):
        OneShot(10).select([0], np.zeros(3), make_store())


def test_context_metrics():
    m = context_metrics(["a", "b", "c"], {"a": 1, "z": 1}, 42)
    assert m == {"recall": 0.5, "precision": pytest.approx(1 / 3), "tokens": 42, "chunks": 3}
    with pytest.raises(ValueError, match="at least one relevant"):
        context_metrics(["a"], {"a": 0}, 1)


def test_parse_action_and_prompt():
    assert parse_action("SEARCH: reporting deadlines for STRs") == ("search", "reporting deadlines for STRs")
    assert parse_action("ANSWER") == ("answer", None)
    assert parse_action("search: \"fees\"\nmore") == ("search", "fees")
    prompt = agent_prompt("What is due?", ["one two three four", "five"], max_words=2)
    assert "[1] one two\n[2] five" in prompt
    with pytest.raises(ValueError, match="question"):
        agent_prompt(" ", [])


def test_obligation_coverage():
    gold = ["A firm must report suspicious transactions promptly. Fees are listed in the annex."]
    assert obligation_coverage("The firm must report suspicious transactions promptly.", gold) == 1.0
    assert obligation_coverage("Nothing relevant here.", gold) == 0.0
    assert np.isnan(obligation_coverage("x", ["Fees are listed in the annex."]))
    with pytest.raises(ValueError, match="min_overlap"):
        obligation_coverage("x", gold, min_overlap=0)


class ScriptedReader:
    """Replies from a script: first SEARCH with an off-topic query, then ANSWER."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.calls = 0

    def chat(self, prompts, **kwargs):
        self.calls += len(prompts)
        return [self.replies[min(self.calls - 1, len(self.replies) - 1)] for _ in prompts]


def test_agentic_loop_guards():
    store = make_store()

    def rank(texts):
        vecs = toy_embed(texts)
        return [list(np.argsort(-(store.vectors @ v))) for v in vecs]

    question = ["must a firm report suspicious activity"]
    plain = AgenticRetriever(ScriptedReader(["SEARCH: zebra quokka xylophone", "ANSWER"]), rank, toy_embed, store,
                             max_turns=3, per_turn=1).run(question)[0]
    assert [s["turn"] for s in plain.searches] == [1, 2] and plain.stopped_early
    assert plain.searches[1]["cosine"] < 0.9 and not plain.searches[1]["anchored"]
    guarded = AgenticRetriever(ScriptedReader(["SEARCH: zebra quokka xylophone", "ANSWER"]), rank, toy_embed, store,
                               max_turns=3, per_turn=1, drift_guard=True, drift_min=0.99,
                               laziness_guard=True, lazy_margin=1.0).run(question)[0]
    assert guarded.searches[1]["anchored"] and guarded.searches[1]["sent"].startswith(question[0])
    assert guarded.refused_stops == 1 and not guarded.stopped_early and len(guarded.rows) == 3
    with pytest.raises(ValueError, match="max_turns"):
        AgenticRetriever(ScriptedReader([]), rank, toy_embed, store, max_turns=0)
    with pytest.raises(TypeError, match="chat"):
        AgenticRetriever(object(), rank, toy_embed, store)


def test_budget_explorer_headless():
    view = BudgetExplorer(["q0"], [[50, 400, 30, 100]], [[False, True, False, True]], [3], max_budget=1024)
    s = view.state(0, 200)
    assert s["mask"].tolist() == [True, False, True, True] and s["found"] == 1 and s["recall"] == pytest.approx(1 / 3)
    fig, html = view.render(question=0, budget=200)
    assert len(fig.data) == 2 and "1 of 3 gold" in html
    assert recall_curve([50, 400], [False, True], 1, [0, 449, 450]).tolist() == [0.0, 0.0, 1.0]
    with pytest.raises(ValueError, match="question must be an index"):
        view.state(5, 100)
    with pytest.raises(ValueError, match="equal length"):
        BudgetExplorer(["q0"], [], [], [])


def test_obliqa_loader_bad_arguments():
    from irbook.data import load_obliqa

    with pytest.raises(ValueError, match="split must be one of"):
        load_obliqa("train")
    with pytest.raises(ValueError, match="document numbers 1..40"):
        load_obliqa("test", documents=[0])
    with pytest.raises(TypeError, match="documents must be None or a list"):
        load_obliqa("test", documents="1")
