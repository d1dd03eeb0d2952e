# seqcourse: `make book` builds the course, `make test` runs every test. Both set up .venv first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JOBS ?= 2

# Quiet TensorFlow's C++ logs and oneDNN notice in every kernel the targets start; headless plots.
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
export MPLBACKEND := Agg
export PYTHONHASHSEED := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Publishing (book/instructors.md): `make book SEQCOURSE_REPOSITORY_URL=https://… SEQCOURSE_HUB_URL=https://…`
export SEQCOURSE_REPOSITORY_URL SEQCOURSE_HUB_URL SEQCOURSE_REPOSITORY_BRANCH SEQCOURSE_REPOSITORY_PROVIDER

.PHONY: setup book book-fast test lint format data clean bench exercises

setup: $(STAMP)

LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

$(STAMP): pyproject.toml constraints.txt jupyter-settings/overrides.json
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@# This JupyterLab (and only it) opens the course's .md notebooks as notebooks on double-click.
	install -D -m 644 jupyter-settings/overrides.json $(LAB_OVERRIDES)
	@touch $(STAMP)

data: $(STAMP)
	$(BIN)/seqcourse data fetch

# The published book: every chapter executed in full mode (cached between builds by jupyter-cache).
# `make book SOLUTIONS=1` adds the solutions as a last part (release them after the deadline).
book: data
ifeq ($(SOLUTIONS),1)
	$(BIN)/python scripts/book_with_solutions.py _build/with-solutions
	$(BIN)/jupyter-book build -W -n --keep-going . \
	  --config _build/with-solutions/_config.yml --toc _build/with-solutions/_toc.yml
else
	$(BIN)/jupyter-book build -W -n --keep-going .
endif
	@echo "Book: $(CURDIR)/_build/html/index.html"

# The same build with every chapter in fast mode, as the tests run it.
book-fast: data
	SEQCOURSE_FAST=1 $(BIN)/jupyter-book build -W -n --keep-going . --path-output _build/fast

# Two pytest workers share two cores: one BLAS thread each avoids OpenBLAS threads spinning against
# each other (measured 6-80x slower NumPy under that oversubscription, BENCHMARKS.md).
test: export OPENBLAS_NUM_THREADS := 1
test: data
	$(BIN)/ruff check seqcourse tests scripts _ext
	$(BIN)/ruff format --check seqcourse tests scripts _ext
	$(BIN)/python -m pytest -n $(JOBS) -m "not book" --durations=25
	$(BIN)/python -m pytest -m book

exercises: $(STAMP)
	$(BIN)/seqcourse assign

lint: $(STAMP)
	$(BIN)/ruff check seqcourse tests scripts _ext

format: $(STAMP)
	$(BIN)/ruff format seqcourse tests scripts _ext
	$(BIN)/ruff check --fix seqcourse tests scripts _ext

bench: data
	$(BIN)/python scripts/bench_build.py

clean:
	rm -rf _build .pytest_cache .ruff_cache
