# The two commands of the README, each doing all set-up on a fresh machine:
#   make book [PROFILE=smoke]   execute the notebooks listed in _toc.yml, build _build/html
#   make test                   library tests, the notebooks against tests/goldens/, the book in Chromium
# and maintenance targets:
#   make goldens                regenerate tests/goldens/ (smoke profile) from notebooks/*.py
#   make nbval | make mutants   the goldens under nbval itself | planted bugs: killed K of N
#   make clean                  remove build outputs (make distclean also removes .venv)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON  ?= python3
VENV    ?= .venv
PY      := $(VENV)/bin/python
PROFILE ?= paper
JOBS    ?= 2
KERNEL  := landscape
STAMP   := $(VENV)/.installed

.PHONY: help setup chromium book execute test nbval mutants goldens clean distclean

help:
	@echo "make book [PROFILE=paper|smoke]  execute notebooks (papermill) and build the book"
	@echo "make test                        run the test suite (library, goldens, book in Chromium)"
	@echo "make nbval                       the goldens re-executed and compared by nbval"
	@echo "make mutants                     planted bugs (tests/mutants.py): prints killed K of N"
	@echo "make goldens                     regenerate tests/goldens/ from notebooks/*.py"
	@echo "make clean | distclean           remove build outputs | and the virtualenv"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Re-install only when the dependency list changes; register the venv as the 'landscape' kernel.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -e '.[book,test]'
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "$(KERNEL)"
	touch $@

# Build the compiled contrastive kernel now (once; ~1 minute), not inside the first notebook.
setup: $(STAMP)
	$(PY) -c "import landscape.losses as l; l.cpu_kernel()"

execute: setup
	$(VENV)/bin/landscape book --profile $(PROFILE) --jobs $(JOBS)

book: execute
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "book: $(CURDIR)/_build/html/index.html"

# The book test (tests/test_book.py) opens every page in headless Chromium: install Debian's
# package where we can (root with apt-get), else stop at once with the one command to run.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium (needed by tests/test_book.py)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "make test needs Chromium at /usr/bin/chromium: run  sudo apt-get install chromium" >&2; exit 1; \
	  fi; \
	fi

# Both cores (pytest-xdist, one test file per worker at a time); the book test executes every
# notebook once and compares it with its golden (tests/test_book.py).
test: setup chromium
	$(PY) -m pytest tests -n 2 --dist loadfile

# The goldens re-executed and compared by nbval itself (make test compares the book test's
# executions with them instead of executing every notebook twice).
nbval: setup
	$(PY) -m pytest tests/goldens --nbval-lax --nbval-current-env -n 2 --dist loadfile

goldens: setup
	$(VENV)/bin/landscape goldens --jobs 2

# Planted bugs (tests/mutants.py), each run against the tests that must catch it, two at a time.
mutants: setup
	$(PY) -m tests.mutants

clean:
	rm -rf _build book/executed .pytest_cache figures
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
