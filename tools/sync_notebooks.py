#!/usr/bin/env python
"""Keep the reader-facing lines of every stored notebook in step with ``_config.yml``.

``tools/build_book.py`` (``make book``) runs this before building; ``tests/test_reader_paths.py`` checks
that nothing is left to change. Per notebook it:

- points the title cell's "Open in Colab" badge at ``repository: url:`` of ``_config.yml`` and shows it
  with the local image ``book/_static/colab-badge.svg`` (no image is fetched from the network);
- rewrites the Colab install lines of the first code cell after the parameters: ``pip`` installs
  ``irbook`` from that repository URL, and ``apt-get update`` runs before any ``apt-get install``;
- names the ``irbook-cpu`` kernel (``make kernels``) in the notebook's metadata; plain Jupyter offers
  to pick another kernel when it is missing, papermill and nbval choose theirs explicitly, and Colab
  runs its own Python 3 kernel whatever the name;
- removes papermill's ``injected-parameters`` cell, which would silently override a reader's edit of
  the parameters cell;
- removes stored progress bars (a tqdm widget: a row of a label, a progress bar and an ``it/s`` text,
  e.g. transformers' "Loading weights") from the outputs and the saved widget state; runs from
  tools/execute_notebooks.py set ``HF_HUB_DISABLE_PROGRESS_BARS=1`` so that new ones are not drawn.

Whoever publishes the book under another repository sets ``repository: url:`` and runs
``python tools/sync_notebooks.py`` (or ``make book``). ``--check`` lists what is out of date.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "_config.yml"
NOTEBOOKS_DIR = ROOT / "notebooks"
BADGE_IMAGE = "../book/_static/colab-badge.svg"  # relative to notebooks/
KERNELSPEC = {"display_name": "Python 3 (irbook, CPU)", "language": "python", "name": "irbook-cpu"}
INJECTED_TAG = "injected-parameters"
BADGE_LINE = re.compile(r"^\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)$", re.M)
PIP_LINE = re.compile(r'^(?P<indent>\s*)%pip install -q "irbook(?P<extras>\[[a-z,]+\])? @ git\+[^"]*"$', re.M)
APT_INSTALL = re.compile(r"^(?P<indent>\s*)!apt-get (?:-qq )?install\b.*$", re.M)
APT_UPDATE = "!apt-get -qq update > /dev/null"


def repository_url(config: Path = CONFIG) -> str:
    """The book's repository (``repository: url:`` in ``_config.yml``), without a trailing slash or .git."""
    settings = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    url = (settings.get("repository") or {}).get("url")
    if not url or not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+/?", url):
        raise SystemExit(f"sync_notebooks: _config.yml needs `repository: url: https://github.com/<owner>/<name>`, "
                         f"got {url!r}")
    return url.rstrip("/").removesuffix(".git")


def badge_markdown(stem: str, url: str, branch: str = "main") -> str:
    """The title cell's "Open in Colab" link for ``notebooks/<stem>.ipynb``, with the local badge image."""
    github_path = url.removeprefix("https://github.com/")
    return (f"[![Open In Colab]({BADGE_IMAGE})]"
            f"(https://colab.research.google.com/github/{github_path}/blob/{branch}/notebooks/{stem}.ipynb)")


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def install_cell_index(cells) -> int | None:
    """Index of the first code cell after the ``parameters`` cell (the one with the Colab install lines)."""
    after = False
    for index, cell in enumerate(cells):
        if "parameters" in _tags(cell):
            after = True
        elif after and cell["cell_type"] == "code" and INJECTED_TAG not in _tags(cell):
            return index
    return None


def sync_install_lines(source: str, url: str) -> str:
    """Point the ``%pip install irbook`` line at ``url`` and put ``apt-get update`` before ``apt-get install``."""
    source = PIP_LINE.sub(lambda m: f'{m["indent"]}%pip install -q "irbook{m["extras"] or ""} @ git+{url}"', source)
    lines = source.split("\n")
    out = []
    for line in lines:
        match = APT_INSTALL.match(line)
        if match and not (out and out[-1].strip().startswith("!apt-get -qq update")):
            out.append(f"{match['indent']}{APT_UPDATE}")
        out.append(line)
    return "\n".join(out)


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def progress_bar_models(notebook) -> set[str]:
    """Ids of saved tqdm progress-bar rows (an HBox holding a progress model) and of their children."""
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    found = set()
    for model_id, model in state.items():
        children = [c.removeprefix("IPY_MODEL_") for c in model.get("state", {}).get("children", [])
                    if isinstance(c, str)]
        kinds = [state.get(c, {}).get("model_name") for c in children]
        if model.get("model_name") == "HBoxModel" and {"FloatProgressModel", "IntProgressModel"} & set(kinds):
            texts = " ".join(str(state.get(c, {}).get("state", {}).get("value", "")) for c in children)
            if "it/s" in texts or "s/it" in texts or "%" in texts:
                found |= {model_id, *children}
    return found


def strip_progress_bars(notebook) -> int:
    """Remove stored tqdm progress-bar outputs and their saved widget models; return how many outputs went."""
    models = progress_bar_models(notebook)
    if not models:
        return 0
    removed = 0
    for cell in notebook.cells:
        outputs = cell.get("outputs", [])
        kept = [o for o in outputs if o.get("data", {}).get(WIDGET_VIEW, {}).get("model_id") not in models]
        removed += len(outputs) - len(kept)
        if len(kept) != len(outputs):
            cell.outputs = kept
    state = notebook.metadata["widgets"][WIDGET_STATE]["state"]
    for model_id in models:
        state.pop(model_id, None)
    return removed


def sync_notebook(notebook, stem: str, url: str) -> list[str]:
    """Bring one notebook (an ``nbformat`` node, changed in place) in step; return what changed."""
    changes = []
    kept = [c for c in notebook.cells if INJECTED_TAG not in _tags(c)]
    if len(kept) != len(notebook.cells):
        notebook.cells = kept
        notebook.metadata.get("papermill", {}).pop("parameters", None)
        changes.append("removed the injected-parameters cell")
    if strip_progress_bars(notebook):
        changes.append("removed stored progress bars")
    if dict(notebook.metadata.get("kernelspec", {})) != KERNELSPEC:
        notebook.metadata["kernelspec"] = dict(KERNELSPEC)
        changes.append(f"kernelspec -> {KERNELSPEC['name']}")
    title = notebook.cells[0]
    if title.cell_type == "markdown":
        badge = badge_markdown(stem, url)
        if not BADGE_LINE.search(title.source):
            changes.append("the title cell has no Open in Colab badge line to update")
        elif BADGE_LINE.search(title.source).group(0) != badge:
            title.source = BADGE_LINE.sub(lambda _: badge, title.source, count=1)
            changes.append("Colab badge")
    index = install_cell_index(notebook.cells)
    if index is not None:
        cell = notebook.cells[index]
        new = sync_install_lines(cell.source, url)
        if new != cell.source:
            cell.source = new
            changes.append("Colab install lines")
    return changes


def sync_file(path: Path, url: str | None = None, check_only: bool = False) -> list[str]:
    """Sync ``path`` (rewritten only when something changed, with nbformat's layout); return the changes."""
    import nbformat

    text = path.read_text(encoding="utf-8")
    notebook = nbformat.reads(text, as_version=4)
    changes = sync_notebook(notebook, path.stem, url or repository_url())
    if changes and not check_only:
        new = nbformat.writes(notebook)
        path.write_text(new + ("\n" if text.endswith("\n") and not new.endswith("\n") else ""), encoding="utf-8")
    return changes


def notebooks() -> list[Path]:
    return sorted(NOTEBOOKS_DIR.glob("[0-9A]*.ipynb"))


def sync_all(check_only: bool = False) -> dict[str, list[str]]:
    """``{notebook: changes}`` for every chapter notebook that was (or, with ``check_only``, would be) changed."""
    url = repository_url()
    found = {}
    for path in notebooks():
        changes = sync_file(path, url, check_only=check_only)
        if changes:
            found[str(path.relative_to(ROOT))] = changes
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only list notebooks that are out of date")
    args = parser.parse_args(argv)
    found = sync_all(check_only=args.check)
    for name, changes in found.items():
        verb = "out of date" if args.check else "updated"
        print(f"sync_notebooks: {name} {verb}: {'; '.join(changes)}")
    return 1 if (args.check and found) else 0


if __name__ == "__main__":
    sys.exit(main())
