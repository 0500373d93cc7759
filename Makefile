# d2lad: `make lab` opens the course in JupyterLab (`d2lad lab d2lad-course`),
# `make test` runs the test suite.
# Both create .venv with $(PYTHON) on first use and reinstall the project into it
# only when pyproject.toml has changed since the last install.

PYTHON ?= python3
VENV ?= .venv
PYTEST_ARGS ?=
LAB_ARGS ?=

VENV_PY := $(VENV)/bin/python
# Where `make lab` puts your copy of the lessons and exercises (git ignores it).
LAB_DIR ?= d2lad-course

.PHONY: lab test lint
.DEFAULT_GOAL := lab

lab: $(VENV)/.installed-notebooks
	$(VENV)/bin/d2lad lab $(LAB_DIR) $(LAB_ARGS)

test: $(VENV)/.installed-test
	$(VENV_PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(VENV_PY) -m ruff check .

$(VENV_PY):
	@v=$$($(PYTHON) -c 'import sys; print("%d.%d.%d" % sys.version_info[:3]); sys.exit(sys.version_info < (3, 10))' 2>/dev/null) || { \
	  if [ -z "$$v" ]; then echo "error: could not run '$(PYTHON)'. d2lad needs Python 3.10 or newer;"; \
	  else echo "error: d2lad needs Python 3.10 or newer, but '$(PYTHON)' is Python $$v;"; fi; \
	  echo "run make with PYTHON=/path/to/python3.10 (or newer)."; exit 1; } >&2
	@echo "$(PYTHON) -m venv $(VENV)"
	@$(PYTHON) -m venv $(VENV) || { \
	  echo "error: '$(PYTHON) -m venv' failed. On Debian or Ubuntu install the" \
	       "python3-venv package, then run make again." >&2; rm -rf $(VENV); exit 1; }

$(VENV)/.installed-%: pyproject.toml | $(VENV_PY)
	$(VENV_PY) -m pip install -e '.[$*]'
	@touch $@
