"""The chapter anatomy, version 2: the contract every migrated chapter notebook keeps (used by test_notebooks.py).

A chapter notebook is, in this order:

1. **Header** (the cells before the parameters cell):
   - the title cell: markdown, first line ``# Chapter N. Title`` (``# Appendix A1. Title``), citing the paper with
     ``{cite}`` (any ``{cite:...}`` role) and summarising the chapter in at least one paragraph of prose;
   - ``What you will learn`` (a bold label or a ``###`` heading) followed by a bulleted list of at least two items;
   - the run time: a code cell tagged ``run-time`` and ``remove-input`` that calls
     ``irbook.runtime.run_time_note("<notebook stem>")`` (read from ``data/run_times.json``) and whose stored
     output starts with ``Run time:``.
2. **Parameters**: exactly one code cell tagged ``parameters`` setting ``DEVICE = "auto"``, ``SCALE = "small"``
   and ``SEED``, followed (before ``## The idea``) by a code cell calling ``irbook.setup(DEVICE, SCALE, SEED)``.
3. **Sections**: the level-2 headings are exactly, in this order, :data:`SECTIONS`. A heading may carry a
   chapter-specific suffix after a colon or a dash (``## Method: Hensel lifting``); subsections use ``###``.
   The only level-1 heading is the title.
4. **Results beside the paper** holds a table (a markdown table, or a stored HTML table output): the paper's
   number with its source, ours, and why they differ.
5. **Exercises**: a numbered list; every exercise carries a hint (the word "Hint" inside the item, e.g.
   ``*Hint:* ...`` or a ``<details><summary>Hint</summary>`` block).
6. **References** cites with ``{cite}``.

And, for the stored (executed) notebook: no progress bar (no tqdm text, no progress-bar widget), no truncated
table cell (a cell ending in ``...``), no stderr output, and no papermill ``injected-parameters`` cell.

:func:`anatomy_problems` and :func:`output_problems` return readable problems (empty when the notebook keeps the
contract), so a failing test says what to fix.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

SECTIONS: tuple[str, ...] = ("The idea", "Data", "Baseline", "Method", "Experiments", "Results beside the paper",
                             "Checks", "Explore", "Summary", "Exercises", "References")
"""The level-2 headings of a chapter, in order."""

_CITE = re.compile(r"\{cite(:[a-z]+)?\}`[^`]+`")
_PROGRESS_TEXT = re.compile(r"\d+%\|[^|\n]*\|\s*\d+/\d+|\d+/\d+ \[\d+:\d+<|it/s\]|s/it\]")
_PROGRESS_MODELS = {"FloatProgressModel", "IntProgressModel"}
_TRUNCATED_CELL = re.compile(r"<t[dh][^>]*>[^<]*\.\.\.\s*</t[dh]>")


def load(path: str | Path) -> dict:
    """The notebook at ``path`` as a dict."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def _tags(cell: dict) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _headings(cells: list[dict], level: int) -> list[tuple[int, str]]:
    """(cell index, heading text) of every markdown heading of exactly ``level`` outside code fences."""
    found = []
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "markdown":
            continue
        fenced = False
        for line in _source(cell).splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            elif not fenced and re.match(rf"^#{{{level}}} \S", line):
                found.append((index, line[level + 1:].strip()))
    return found


def _matches(heading: str, section: str) -> bool:
    """``heading`` is ``section``, optionally followed by a suffix after a colon or a dash."""
    return re.fullmatch(rf"{re.escape(section)}(\s*[:\-\u2013\u2014]\s*.+)?", heading) is not None


def _output_text(cell: dict) -> str:
    texts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            texts.append(_source({"source": output.get("text", "")}))
        for mime in ("text/plain", "text/markdown", "text/html"):
            if mime in output.get("data", {}):
                texts.append(_source({"source": output["data"][mime]}))
    return "\n".join(texts)


def header_problems(cells: list[dict], stem: str) -> list[str]:
    """What the header (title, summary, what you will learn, run time) and parameters lack."""
    problems = []
    params = [i for i, c in enumerate(cells) if c.get("cell_type") == "code" and "parameters" in _tags(c)]
    if len(params) != 1:
        return [f"expected exactly one code cell tagged 'parameters', found {len(params)}"]
    header = cells[:params[0]]
    if not header or header[0].get("cell_type") != "markdown":
        return ["the first cell must be the markdown title cell"]
    title = _source(header[0])
    if not re.match(r"^# (Chapter \d+|Appendix [A-Z]\d+)\. \S", title):
        problems.append("the title cell must start with '# Chapter N. Title' or '# Appendix A1. Title'")
    if not _CITE.search(title):
        problems.append("the title cell must cite the paper with {cite}`key`")
    prose = [p for p in re.split(r"\n\s*\n", title)[1:]
             if not p.lstrip().startswith(("#", "[![", "![", "<")) and len(p.split()) >= 20]
    if not prose:
        problems.append("the title cell must summarise the chapter in a paragraph (20 words or more)")
    header_text = "\n".join(_source(c) for c in header if c.get("cell_type") == "markdown")
    learn = re.search(r"^(\*\*What you will learn\.?\*\*|#{3,4} What you will learn)\.?\s*$((?:\n\s*[-*] .+)+)",
                      header_text, re.M)
    if not learn or len(re.findall(r"^\s*[-*] ", learn.group(2), re.M)) < 2:
        problems.append("the header needs 'What you will learn' followed by a list of at least two items")
    run_time = [c for c in header if c.get("cell_type") == "code" and "run-time" in _tags(c)]
    if len(run_time) != 1:
        problems.append("the header needs one code cell tagged 'run-time' (it prints run_time_note(...))")
    else:
        cell = run_time[0]
        if f'run_time_note("{stem}")' not in _source(cell).replace("'", '"'):
            problems.append(f'the run-time cell must call run_time_note("{stem}")')
        if "remove-input" not in _tags(cell):
            problems.append("the run-time cell must also be tagged 'remove-input'")
        if not _output_text(cell).lstrip().startswith("Run time:"):
            problems.append("the run-time cell's stored output must start with 'Run time:'")
    parameters = _source(cells[params[0]])
    for name, pattern in (("DEVICE", r'^DEVICE = "auto"'), ("SCALE", r'^SCALE = "small"'), ("SEED", r"^SEED = ")):
        if not re.search(pattern, parameters, re.M):
            problems.append(f"the parameters cell must set {name} ({pattern[1:]}...)")
    idea = next((i for i, h in _headings(cells, 2) if _matches(h, SECTIONS[0])), len(cells))
    if not any("setup(DEVICE, SCALE, SEED)" in _source(c) for c in cells[params[0] + 1:idea]
               if c.get("cell_type") == "code"):
        problems.append("a code cell between the parameters and '## The idea' must call "
                        "irbook.setup(DEVICE, SCALE, SEED)")
    return problems


def heading_problems(cells: list[dict]) -> list[str]:
    """Whether the level-2 headings are exactly :data:`SECTIONS`, in order (suffixes allowed)."""
    problems = []
    titles = _headings(cells, 1)
    if len(titles) != 1 or titles[0][0] != 0:
        problems.append(f"the only level-1 heading must be the title in the first cell, found {[t for _, t in titles]}")
    found = [h for _, h in _headings(cells, 2)]
    for position, section in enumerate(SECTIONS):
        if position >= len(found):
            problems.append(f"missing '## {section}' (after '## {SECTIONS[position - 1]}')" if position else
                            f"missing '## {section}'")
            break
        if not _matches(found[position], section):
            problems.append(f"level-2 heading {position + 1} is '## {found[position]}', expected '## {section}' "
                            f"(the order is: {', '.join(SECTIONS)}; subsections use ###)")
            break
    else:
        if len(found) > len(SECTIONS):
            problems.append(f"extra level-2 headings after '## References': {found[len(SECTIONS):]}")
    return problems


def _section(cells: list[dict], section: str) -> list[dict]:
    """The cells under ``## section`` (its heading cell's text after the heading included), up to the next one."""
    headings = _headings(cells, 2)
    for k, (index, heading) in enumerate(headings):
        if _matches(heading, section):
            end = headings[k + 1][0] if k + 1 < len(headings) else len(cells)
            first = dict(cells[index])
            text = _source(first)
            first["source"] = text[text.index("## " + heading) + 3 + len(heading):]
            return [first, *cells[index + 1:end]]
    return []


def section_problems(cells: list[dict]) -> list[str]:
    """Results beside the paper has a table; every exercise has a hint; References cites."""
    problems = []
    results = _section(cells, "Results beside the paper")
    has_table = any(c.get("cell_type") == "markdown" and re.search(r"^\s*\|?\s*:?-{3,}", _source(c), re.M)
                    for c in results) or any("<table" in _output_text(c) for c in results)
    if results and not has_table:
        problems.append("'## Results beside the paper' needs a table (paper's number and source, ours, why)")
    exercises = "\n".join(_source(c) for c in _section(cells, "Exercises") if c.get("cell_type") == "markdown")
    items = re.split(r"^\d+\. ", exercises, flags=re.M)[1:]
    if _section(cells, "Exercises") and not items:
        problems.append("'## Exercises' needs a numbered list of exercises")
    for number, item in enumerate(items, 1):
        if not re.search(r"\bhint\b", item, re.I):
            problems.append(f"exercise {number} has no hint")
    references = "\n".join(_source(c) for c in _section(cells, "References"))
    if _section(cells, "References") and not _CITE.search(references):
        problems.append("'## References' must cite with {cite}`key`")
    return problems


def output_problems(notebook: dict) -> list[str]:
    """Stored progress bars, truncated table cells, stderr outputs and an injected-parameters cell."""
    problems = []
    cells = notebook.get("cells", [])
    for index, cell in enumerate(cells):
        if "injected-parameters" in _tags(cell):
            problems.append(f"cell {index}: a papermill injected-parameters cell is stored")
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                problems.append(f"cell {index}: stderr output {_source({'source': output.get('text', '')})[:80]!r}")
        text = _output_text(cell)
        if _PROGRESS_TEXT.search(text):
            problems.append(f"cell {index}: a progress bar is stored ({_PROGRESS_TEXT.search(text).group()!r})")
        truncated = _TRUNCATED_CELL.search(text)
        if truncated:
            problems.append(f"cell {index}: a truncated table cell {truncated.group()[:80]!r}")
    state = notebook.get("metadata", {}).get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    bars = {m.get("model_name") for m in state.get("state", {}).values()} & _PROGRESS_MODELS
    if bars:
        problems.append(f"progress-bar widgets are stored in the notebook's widget state ({sorted(bars)})")
    return problems


def anatomy_problems(notebook: dict, stem: str) -> list[str]:
    """Every way the notebook breaks the anatomy (header, parameters, headings, sections); empty when it keeps it."""
    cells = notebook.get("cells", [])
    return header_problems(cells, stem) + heading_problems(cells) + section_problems(cells)
