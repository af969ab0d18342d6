"""A small Sphinx extension for the book's API page (book/api.md).

- "Introduced in chapter N" / "Introduced in appendix A1" in a docstring becomes a link to that chapter's page
  (the chapter numbers come from book/chapters.yml; a chapter without a notebook yet stays plain text), and a
  ``:doc:`NN_slug``` written in a docstring points at ``/notebooks/NN_slug`` (docstrings name chapters by stem).
- A Python cross-reference to a name re-exported by a package (``irbook.data.Corpus``, documented as
  ``irbook.data.types.Corpus``) or to a bare name defined once in the package (``Corpus``) resolves to the one
  documented object of that name, so the page can be built with ``-n`` (every reference checked).
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from docutils import nodes
from sphinx.util.nodes import make_refnode

ROOT = Path(__file__).resolve().parents[2]
_DOC_ROLE = re.compile(r":doc:`(?P<stem>(\d\d|[A-Z]\d)_[a-z0-9_]+)`")
_INTRODUCED = re.compile(r"Introduced in (?P<word>chapter|appendix) (?P<number>\d+|[A-Z]\d)\b(?! \(:doc:)")


def _stems() -> dict[str, str]:
    """Chapter number ("3", "A1") -> notebook stem, for the chapters that have a notebook."""
    parts = yaml.safe_load((ROOT / "book" / "chapters.yml").read_text(encoding="utf-8"))["parts"]
    stems = {}
    for part in parts:
        for chapter in part.get("chapters", []):
            stem = chapter["stem"]
            prefix = stem.split("_", 1)[0]
            if (ROOT / "notebooks" / f"{stem}.ipynb").exists():
                stems[str(int(prefix)) if prefix.isdigit() else prefix] = stem
    return stems


def link_chapters(lines: list[str], stems: dict[str, str]) -> list[str]:
    """The docstring ``lines`` with chapter mentions turned into :doc: links to the chapter pages."""
    out = []
    for line in lines:
        line = _DOC_ROLE.sub(lambda m: f":doc:`/notebooks/{m['stem']}`" if m["stem"] in stems.values()
                             else f"``{m['stem']}``", line)  # a planned chapter has no page yet

        def link(match: re.Match) -> str:
            stem = stems.get(match["number"])
            if stem is None:
                return match.group(0)
            return f"Introduced in {match['word']} {match['number']} (:doc:`/notebooks/{stem}`)"

        out.append(_INTRODUCED.sub(link, line))
    return out


def _process_docstring(app, what, name, obj, options, lines):
    lines[:] = link_chapters(lines, app.env.irbook_stems)


def _builder_inited(app):
    app.env.irbook_stems = _stems()


def _missing_reference(app, env, node, contnode):
    """Resolve ``pkg.Name`` (re-exported) or a bare ``Name`` to the single documented ``irbook...Name``."""
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"]
    domain = env.get_domain("py")
    short = target.rsplit(".", 1)[-1]
    prefix = target.rsplit(".", 1)[0] + "." if "." in target else "irbook."
    if not prefix.startswith("irbook"):
        return None
    found = [(name, obj) for name, obj in domain.objects.items()
             if name.startswith(prefix) and name.rsplit(".", 1)[-1] == short and not obj.aliased]
    if len(found) != 1:
        return None
    name, obj = found[0]
    return make_refnode(app.builder, node["refdoc"], obj.docname, obj.node_id, contnode, name)


def setup(app):
    app.connect("builder-inited", _builder_inited)
    app.connect("autodoc-process-docstring", _process_docstring)
    app.connect("missing-reference", _missing_reference)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
