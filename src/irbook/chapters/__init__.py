"""Code generated from the chapters' notebooks: one module per chapter, never edited by hand.

The method a chapter teaches is written in the notebook's cells, where the reader sees it. The cells that later
code needs (a widget, a test, another chapter) are *exported* here, in the manner of d2l's ``#@save`` and
nbdev's ``#| export``:

- **Marker.** A code cell whose first line is exactly ``#| export`` is exported. The cell runs in the notebook
  as usual; the marker is a comment.
- **Module.** ``notebooks/<NN>_<slug>.ipynb`` exports to ``irbook/chapters/ch<NN>_<slug>.py``: for example
  ``14_pir_rag`` -> ``irbook.chapters.ch14_pir_rag`` and ``A1_tiny_clip`` -> ``irbook.chapters.chA1_tiny_clip``.
  The exported cells are copied in notebook order, without the marker line, below a header that says the file is
  generated, from which notebook, and not to edit it.
- **Imports.** An exported cell imports what it uses (``import numpy as np``, ``from irbook import evaluation``)
  in an exported cell, so that the module runs on its own. Exported cells hold plain Python: no ``%magics``,
  no ``!shell`` lines, and no code that runs the chapter's experiments (definitions and small constants only).
- **Docstrings.** Exported functions and classes carry docstrings with "Introduced in chapter N"; they appear on
  the book's API page.
- **Tools.** ``python tools/export_chapters.py`` writes every module (and removes one whose notebook lost its
  marked cells); ``python tools/export_chapters.py --check`` fails with a diff when a module and its notebook
  differ, and ``tests/test_export.py`` runs that check, so a marked cell edited without re-exporting fails the
  tests.
- **Who imports them.** Widgets, tests and later chapters import ``irbook.chapters.chNN_slug``; topic modules
  (:mod:`irbook.evaluation`, :mod:`irbook.retrieval`, :mod:`irbook.llm`, ...) never import a chapter module,
  so concepts reused across chapters stay in topic modules and the import graph has no cycle.

Introduced in chapter 1 (:doc:`01_rag_map`).
"""
