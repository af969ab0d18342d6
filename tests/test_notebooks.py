"""Chapter notebooks as a reader runs them.

Every notebook is executed by nbval (`make test` passes --nbval-lax): any error or failed assertion fails,
and cells marked `# NBVAL_CHECK_OUTPUT` must reproduce their stored output (sanitised by
tests/nbval_sanitize.cfg). This file adds what nbval does not check: the chapter anatomy of each stored
notebook, and a papermill run with injected parameters, as `make execute` and a GPU reader use them.
"""
import json
import re
from pathlib import Path

import pytest

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
def test_chapter_anatomy(path):
    cells = _cells(path)
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size / 1e6:.1f} MB (limit 2 MB)"
    first = _source(cells[0])
    assert cells[0]["cell_type"] == "markdown" and first.startswith("# "), "the first cell is the title"
    assert "colab.research.google.com" in first, "the title cell carries an Open in Colab badge"
    params = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1, "exactly one cell tagged 'parameters'"
    assert re.search(r'^DEVICE = "auto"', _source(params[0]), re.M), "parameters set DEVICE = \"auto\""
    assert re.search(r'^SCALE = "small"', _source(params[0]), re.M), "parameters set SCALE = \"small\""
    headings = "\n".join(_source(c) for c in cells if c["cell_type"] == "markdown")
    for heading in ("Exercises", "Summary", "References"):
        assert re.search(rf"^#+ .*{heading}", headings, re.M), f"no '{heading}' heading"
    code = [c for c in cells if c["cell_type"] == "code" and _source(c).strip()]
    assert all(c.get("execution_count") for c in code), "every code cell has a stored execution"
    outputs = [o for c in code for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"], "an error output is stored"
    mimes = {m for o in outputs for m in o.get("data", {})}
    assert "application/vnd.plotly.v1+json" in mimes, "no plotly figure stored"
    assert "application/vnd.jupyter.widget-view+json" in mimes, "no widget stored"
    assert any("assert " in _source(c) for c in code), "a chapter asserts what its run supports"
    assert any("NBVAL_CHECK_OUTPUT" in _source(c) for c in code), "mark stable cells for nbval"


@pytest.mark.notebook
def test_papermill_injects_parameters(tmp_path):
    """Run chapter 1 the way `make execute` does, with parameters that differ from the defaults."""
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    from execute_notebooks import execute

    output = tmp_path / "01_rag_map.ipynb"
    execute(ROOT / "notebooks" / "01_rag_map.ipynb", "cpu", "small", output=output, K_CONTEXT=2, MAX_NEW_TOKENS=12)
    cells = _cells(output)
    injected = [c for c in cells if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    assert injected and "K_CONTEXT = 2" in _source(injected[0])
    text = "\n".join("".join(o.get("text", "")) for c in cells if c["cell_type"] == "code" for o in c.get("outputs", []))
    assert "RAG (hybrid top-2)" in json.dumps(cells), "the injected K_CONTEXT reached the experiment"
    assert "all checks passed" in text
