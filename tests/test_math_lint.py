"""Mathematics in the notebooks' Markdown that the book (MyST) and JupyterLab both render.

MyST parses `$$ ... $$` as display maths only as a block of its own: an opening `$$` inside a paragraph
(no blank line before it), or text straight after the closing `$$`, leaves the TeX raw on the page;
a line of the formula that starts with `+ `, `- ` or `* ` is read as a list item by Markdown renderers.
The lint covers Markdown cells and Markdown outputs (display(Markdown(...))). The built pages are
checked for raw TeX by tests/test_book.py.
"""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9A]*.ipynb"))
LIST_MARKER = re.compile(r"^\s*[-+*]\s")
FENCE = re.compile(r"^\s*(```|~~~)")


def display_math_problems(text: str) -> list[str]:
    """Where ``text`` (Markdown) has display maths that would not render as a block."""
    problems = []
    lines = text.split("\n")
    in_math = in_fence = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if FENCE.match(line) and not in_math:
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        before = lines[i - 1].strip() if i > 0 else ""
        after = lines[i + 1].strip() if i + 1 < len(lines) else ""
        count = line.count("$$")
        if not in_math:
            if count == 0:
                continue
            if not stripped.startswith("$$"):
                problems.append(f"line {i + 1}: `$$` inside a paragraph: {stripped[:70]!r}")
                continue
            if before:
                problems.append(f"line {i + 1}: no blank line before `$$`: {before[:50]!r}")
            if count >= 2:  # $$ ... $$ on one line
                if not stripped.endswith("$$") or count > 2:
                    problems.append(f"line {i + 1}: text after the closing `$$`: {stripped[:70]!r}")
                elif after:
                    problems.append(f"line {i + 1}: no blank line after `$$`: {after[:50]!r}")
            else:
                in_math = True
        else:
            if count == 0:
                if LIST_MARKER.match(line):
                    problems.append(f"line {i + 1}: a line of the formula reads as a list item: {stripped[:50]!r}")
                continue
            if not stripped.endswith("$$") or count > 1:
                problems.append(f"line {i + 1}: text after the closing `$$`: {stripped[:70]!r}")
            elif after:
                problems.append(f"line {i + 1}: no blank line after `$$`: {after[:50]!r}")
            in_math = False
    if in_math:
        problems.append("an opening `$$` is never closed")
    return problems


def markdown_texts(path: Path):
    """(where, Markdown text) for every Markdown cell and Markdown output of a notebook."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            yield f"cell {index}", "".join(cell["source"])
        for output in cell.get("outputs", []):
            markdown = output.get("data", {}).get("text/markdown")
            if markdown:
                yield f"cell {index} output", "".join(markdown)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_display_math_is_a_block_of_its_own(path):
    found = [f"{where} {problem}" for where, text in markdown_texts(path) for problem in display_math_problems(text)]
    assert not found, f"{path.name}:\n" + "\n".join(found)


def test_lint_catches_the_broken_forms():
    assert display_math_problems("Text\n\n$$ a + b $$\n\nmore") == []
    assert display_math_problems("Text\n\n$$\na\n+ b\n$$\n") == ["line 5: a line of the formula reads as a list item: '+ b'"]
    assert display_math_problems("Text\n$$ a $$\n")[0].startswith("line 2: no blank line before")
    assert display_math_problems("The loss $$ a $$ is")[0].startswith("line 1: `$$` inside a paragraph")
    assert display_math_problems("x\n\n$$\na\n$$ and so on")[0].startswith("line 5: text after")
    assert display_math_problems("x\n\n$$ a $$\nnext")[0].startswith("line 3: no blank line after")
    assert display_math_problems("```\n$$ in code $$\n```") == []
