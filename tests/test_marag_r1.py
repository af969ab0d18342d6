"""Chapter 11 (MARAG-R1): the tool-call parser, the tools on a toy table, rewards, leave-one-out advantages, the
question generator and the trajectory widget, headless (no model is loaded)."""
import numpy as np
import pandas as pd
import pytest

from irbook.chapters.ch11_marag_r1 import (LiarTools, answer_em, Question, ToolCall, ToolCallError, Trajectory, expert_step,
                                           leave_one_out_advantages, liar_table, make_questions, parse_call,
                                           parse_filters, reward, run_episode)
from irbook.widgets.marag_r1 import TrajectoryComparison


def toy_table():
    frame = pd.DataFrame({
        "id": [f"{i}.json" for i in range(6)],
        "statement": ["Taxes went up a lot", "Health care costs fell", "Taxes fell", "Jobs grew fast",
                      "Taxes and jobs", "Guns are everywhere"],
        "subjects": ["taxes", "health-care", "taxes,economy", "jobs", "taxes,jobs", "guns"],
        "party": ["democrat", "republican", "democrat", "democrat", "republican", "democrat"],
        "state": ["Texas", "Ohio", "Texas", "", "Ohio", "Texas"],
        "label": ["false", "true", "false", "true", "false", "half-true"],
        "speaker": ["ann", "bob", "ann", "cy", "bob", "cy"],
    })
    return liar_table(frame)


@pytest.mark.parametrize("line, message", [
    (None, "must be a str"),
    ("", "empty tool call"),
    ("   ", "empty tool call"),
    ("filter subject=taxes", "malformed tool call"),
    ("search: taxes", "unknown tool 'search'"),
    ("answer:", "empty argument"),
    ("filter: a\nb", "one line"),
])
def test_parse_call_names_what_is_malformed(line, message):
    with pytest.raises(ToolCallError, match=message):
        parse_call(line)


def test_parse_call_accepts_every_tool():
    assert parse_call("  Filter: party=democrat ") == ToolCall("filter", "party=democrat")
    assert parse_call("answer: 12") == ToolCall("answer", "12")


@pytest.mark.parametrize("argument, message", [
    ("party", "has no '='"),
    ("colour=red", "unknown filter field 'colour'"),
    ("party=", "empty value"),
    ("party=democrat, party=republican", "given twice"),
])
def test_parse_filters_errors(argument, message):
    with pytest.raises(ToolCallError, match=message):
        parse_filters(argument)


def test_tools_filter_and_aggregate():
    tools = LiarTools(toy_table())
    rows = tools.filter(None, {"subject": "taxes", "label": "false"})
    assert sorted(rows.tolist()) == [0, 2, 4]
    assert tools.aggregate(rows, "count") == "3"
    assert tools.aggregate(rows, "top speaker") == "ann"  # ann 2, bob 1
    assert tools.aggregate(rows, "top state") == "texas"
    assert tools.aggregate(np.array([], dtype=int), "top speaker") == "none (empty set)"
    assert tools.keyword("taxes").tolist() == [0, 2, 4]
    with pytest.raises(ToolCallError, match="aggregate expects"):
        tools.aggregate(rows, "average")
    with pytest.raises(ToolCallError, match="unknown aggregate field"):
        tools.aggregate(rows, "top colour")
    with pytest.raises(ToolCallError, match="not available"):
        tools.semantic("taxes")


def test_liar_table_and_tools_check_their_input():
    with pytest.raises(ValueError, match="lacks the LIAR columns"):
        liar_table(pd.DataFrame({"statement": ["x"]}))
    with pytest.raises(ValueError, match="semantic_k"):
        LiarTools(toy_table(), semantic_k=0)


def test_episode_counts_errors_and_stops_at_the_cap():
    tools = LiarTools(toy_table())
    lines = iter(["filter party=democrat", "filter: colour=red", "filter: party=democrat", "aggregate: count",
                  "answer: 4"])
    traj = run_episode(lambda segments: next(lines), tools, "how many by democrats?", max_steps=5)
    assert traj.errors == 2 and traj.answer == "4"
    assert reward(traj, "4") == pytest.approx(1.0)  # right answer, but malformed calls lose the format reward
    looping = run_episode(lambda segments: "aggregate: count", tools, "q", max_steps=3)
    assert looping.answer is None and len(looping.calls) == 3 and reward(looping, "6") == 0.0
    with pytest.raises(ValueError, match="max_steps"):
        run_episode(lambda s: "answer: 1", tools, "q", max_steps=0)


def test_expert_answers_its_question():
    table = toy_table()
    tools = LiarTools(table)
    q = Question("How many?", "3", "count", "train", ("filter: subject=taxes, label=false", "aggregate: count"), True)
    traj = run_episode(expert_step(q), tools, q.text)
    assert traj.answer == "3" and reward(traj, q.answer) == pytest.approx(1.1)


def test_leave_one_out_advantages():
    adv = leave_one_out_advantages([1.0, 0.0, 0.0, 0.0])
    assert adv == pytest.approx([1.0, -1 / 3, -1 / 3, -1 / 3])
    assert leave_one_out_advantages([0.5, 0.5]) == pytest.approx([0.0, 0.0])
    with pytest.raises(ValueError, match="at least 2"):
        leave_one_out_advantages([1.0])
    with pytest.raises(ValueError, match="finite"):
        leave_one_out_advantages([1.0, np.nan])


def test_make_questions_answers_match_the_tools():
    table = toy_table()
    questions = make_questions(table, {"subject": ["taxes"], "state": ["texas", "ohio"], "word": ["taxes"]}, 2,
                               "train", 0, quotes_from=np.arange(len(table)))
    tools = LiarTools(table)
    for q in questions:
        if q.kind != "lookup":
            assert run_episode(expert_step(q), tools, q.text).answer == q.answer
    with pytest.raises(ValueError, match="wording"):
        make_questions(table, {}, 1, "other", 0)


def test_trajectory_widget_headless():
    a = Trajectory("q", calls=["filter: party=democrat", "aggregate: count", "answer: 4"],
                   observations=["4 statements", "4"], answer="4")
    b = Trajectory("q", calls=["bad"], observations=["error: malformed"], errors=1, answer=None)
    view = TrajectoryComparison(["q"], ["4"], {"SFT": [b], "SFT+RL": [a]}, kinds=["count"])
    state = view.state(0, "SFT", "SFT+RL")
    assert state["agents"]["SFT+RL"]["correct"] and not state["agents"]["SFT"]["correct"]
    assert "no answer" in view.render(0, "SFT", "SFT+RL") and "aggregate: count" in view.render(0)
    with pytest.raises(ValueError, match="question must be an index"):
        view.state(3, "SFT", "SFT+RL")
    with pytest.raises(ValueError, match="unknown"):
        view.state(0, "SFT", "other")
    with pytest.raises(ValueError, match="at least two agents"):
        TrajectoryComparison(["q"], ["4"], {"SFT": [a]})


def test_answer_em_reads_hyphens_as_spaces():
    assert answer_em("Barack Obama", "barack-obama") == 1.0
    assert answer_em("12", "12") == 1.0 and answer_em("12 statements", "12") == 0.0
    assert answer_em(None, "12") == 0.0


def test_cached_adapter_retrains_when_missing_or_corrupt(tmp_path):
    import torch

    from irbook.chapters.ch11_marag_r1 import cached_adapter

    calls = []

    def train():
        calls.append(1)
        return {"lora_A": torch.ones(2, 2)}, {"loss": [1.0, 0.5]}

    path = tmp_path / "sft.pt"
    state, log, seconds, loaded = cached_adapter(path, train)
    assert not loaded and len(calls) == 1 and log == {"loss": [1.0, 0.5]} and seconds >= 0
    state, log, seconds, loaded = cached_adapter(path, train)
    assert loaded and len(calls) == 1 and torch.equal(state["lora_A"], torch.ones(2, 2))
    path.write_bytes(b"corrupt")
    cached_adapter(path, train)
    assert len(calls) == 2, "a file that fails its sha256 check is retrained"
