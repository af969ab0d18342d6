"""Chapter notebooks as a reader runs them.

Every notebook is executed by nbval (`make test` passes --nbval-lax; those items carry the `notebook` marker):
any error or failed assertion fails, and cells marked `# NBVAL_CHECK_OUTPUT` must reproduce their stored output
(sanitised by tests/nbval_sanitize.cfg). This file adds what nbval does not check: the chapter anatomy of each
stored notebook, the cleanliness of its stored outputs, and a papermill run with injected parameters, as
`make execute` and a GPU reader use them.

Every chapter is held to the contract of tests/anatomy.py: the header (title with {cite}, summary, "What you
will learn", a ``run-time`` cell), the parameters and ``irbook.setup`` cells, the level-2 headings exactly in the
order of ``anatomy.SECTIONS``, a table beside the paper, a hint for every exercise, {cite} in the references
(``test_chapter_anatomy``); its stored outputs hold no progress bar, truncated table cell, stderr output or
injected parameters cell (``test_stored_outputs_are_clean``); and it is stored executed, with a plotly figure, a
widget, asserts and a cell nbval compares (``test_stored_run``).

``test_anatomy_contract_itself`` checks the contract on a small notebook built here, so it is tested before any
chapter is migrated.
"""
import copy
import json
import re
from pathlib import Path

import pytest

import anatomy

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9A]*.ipynb"))
MAX_BYTES = 2_000_000


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell):
    return "".join(cell["source"])


def test_every_chapter_is_found():
    assert any(p.name == "01_rag_map.ipynb" for p in NOTEBOOKS)
    for path in NOTEBOOKS:
        assert re.fullmatch(r"(\d\d|A\d)_[a-z0-9_]+\.ipynb", path.name), f"{path.name}: expected NN_slug.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_run(path):
    cells = _cells(path)
    assert "colab.research.google.com" in _source(cells[0]), "the title cell carries an Open in Colab badge"
    code = [c for c in cells if c["cell_type"] == "code" and _source(c).strip()]
    assert all(c.get("execution_count") for c in code), "every code cell has a stored execution"
    outputs = [o for c in code for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"], "an error output is stored"
    mimes = {m for o in outputs for m in o.get("data", {})}
    assert "application/vnd.plotly.v1+json" in mimes, "no plotly figure stored"
    assert "application/vnd.jupyter.widget-view+json" in mimes, "no widget stored"
    assert any("assert " in _source(c) for c in code), "a chapter asserts what its run supports"
    assert any("NBVAL_CHECK_OUTPUT" in _source(c) for c in code), "mark stable cells for nbval"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_anatomy(path):
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size / 1e6:.1f} MB (limit 2 MB)"
    problems = anatomy.anatomy_problems(anatomy.load(path), path.stem)
    assert not problems, f"{path.name} breaks the chapter anatomy:\n- " + "\n- ".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_outputs_are_clean(path):
    problems = anatomy.output_problems(anatomy.load(path))
    assert not problems, f"{path.name} stores outputs a reader should not see:\n- " + "\n- ".join(problems)


def _md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(text, tags=(), outputs=()):
    return {"cell_type": "code", "metadata": {"tags": list(tags)}, "source": text, "outputs": list(outputs),
            "execution_count": 1}


def _model_notebook() -> dict:
    """The smallest notebook that keeps the anatomy."""
    title = ("# Chapter 99. A model chapter\n\n**Paper.** A. Author. *A paper.* {cite}`author2025paper`\n\n"
             "This chapter shows the shape every chapter takes: a header, its parameters, the idea, data, a baseline, "
             "the method, experiments, results beside the paper, checks, a widget, a summary and exercises.")
    cells = [
        _md(title),
        _md("**What you will learn.**\n- the order of a chapter\n- where its run time comes from"),
        _code('from irbook.runtime import run_time_note\nprint(run_time_note("99_model"))', ["run-time", "remove-input"],
              [{"output_type": "stream", "name": "stdout", "text": "Run time: 12 s (small scale on CPU).\n"}]),
        _code('DEVICE = "auto"\nSCALE = "small"\nSEED = 0', ["parameters"]),
        _code("import irbook\nsettings = irbook.setup(DEVICE, SCALE, SEED)"),
        _md("## The idea\n\nText."), _md("## Data: a tiny set"), _md("## Baseline"), _md("## Method - the trick"),
        _md("## Experiments\n\n### A subsection"),
        _md("## Results beside the paper\n\n| metric | paper (Table 2) | ours | why |\n|---|---|---|---|\n"
            "| nDCG@10 | 0.5 | 0.4 | smaller corpus |"),
        _md("## Checks"), _md("## Explore"), _md("## Summary"),
        _md("## Exercises\n\n1. Change the cut-off.\n   *Hint:* look at `CUTOFFS`.\n2. Try BM25.\n\n"
            "   <details><summary>Hint</summary>use retrieval.BM25</details>"),
        _md("## References\n\n{cite}`author2025paper`"),
    ]
    return {"cells": cells, "metadata": {}}


def test_anatomy_contract_itself():
    good = _model_notebook()
    assert anatomy.anatomy_problems(good, "99_model") == [] and anatomy.output_problems(good) == []

    def broken(change):
        notebook = copy.deepcopy(good)
        change(notebook["cells"])
        return anatomy.anatomy_problems(notebook, "99_model") + anatomy.output_problems(notebook)

    def swap(cells):  # Summary before Explore: every heading present, the order wrong
        cells[12], cells[13] = cells[13], cells[12]

    assert any("expected '## Explore'" in p for p in broken(swap))
    assert any("missing '## References'" in p for p in broken(lambda cells: cells.pop()))
    assert any("exercise 2 has no hint" in p
               for p in broken(lambda cells: cells[14].update(source="## Exercises\n\n1. A. Hint: b.\n2. C.")))
    assert any("needs a table" in p for p in broken(lambda cells: cells[10].update(source="## Results beside the paper")))
    assert any("cite the paper" in p for p in broken(lambda cells: cells[0].update(source="# Chapter 99. X\n\n" + "word " * 30)))
    assert any("run_time_note(\"99_model\")" in p
               for p in broken(lambda cells: cells[2].update(source='print(run_time_note("13_x"))')))
    assert any("irbook.setup" in p for p in broken(lambda cells: cells.pop(4)))
    assert any("What you will learn" in p for p in broken(lambda cells: cells.pop(1)))
    stderr = {"output_type": "stream", "name": "stderr", "text": "Warning: something\n"}
    bar = {"output_type": "stream", "name": "stdout", "text": " 40%|####      | 2/5 [00:01<00:02, 1.5it/s]"}
    table = {"output_type": "execute_result", "data": {"text/html": "<table><tr><td>a long text...</td></tr></table>"},
             "metadata": {}, "execution_count": 1}
    for output, expected in ((stderr, "stderr output"), (bar, "progress bar"), (table, "truncated table cell")):
        assert any(expected in p for p in broken(lambda cells: cells[4]["outputs"].append(output))), expected
    assert any("injected-parameters" in p
               for p in broken(lambda cells: cells.insert(4, _code('DEVICE = "cpu"', ["injected-parameters"]))))


@pytest.mark.notebook
def test_papermill_injects_parameters(tmp_path):
    """Run chapter 1 the way `make execute` does, with parameters that differ from the defaults."""
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    from execute_notebooks import execute

    output = tmp_path / "01_rag_map.ipynb"
    # N_GENERATE=4 keeps the new generations (K_CONTEXT and MAX_NEW_TOKENS change every prompt or setting) few;
    # they land in the generation cache, so later runs of this test read them back.
    execute(ROOT / "notebooks" / "01_rag_map.ipynb", "cpu", "small", output=output, K_CONTEXT=2, MAX_NEW_TOKENS=12,
            N_GENERATE=4)
    cells = _cells(output)
    injected = [c for c in cells if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    assert injected and "K_CONTEXT = 2" in _source(injected[0])
    text = "\n".join("".join(o.get("text", "")) for c in cells if c["cell_type"] == "code" for o in c.get("outputs", []))
    assert "RAG (hybrid top-2)" in json.dumps(cells), "the injected K_CONTEXT reached the experiment"
    assert "all checks passed" in text
