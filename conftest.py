"""Repository-wide pytest hooks (tests/conftest.py holds the test-wide settings).

Here so that it applies to every collected item, the notebooks under notebooks/ included, whatever paths pytest
is given.
"""
import pytest


def pytest_collection_modifyitems(config, items):
    """Mark every nbval item (a cell of an .ipynb file) with ``notebook``, so ``-m "not notebook"`` skips them."""
    for item in items:
        if str(getattr(item, "path", item.fspath)).endswith(".ipynb"):
            item.add_marker(pytest.mark.notebook)
