# The two commands of the README. Each sets up what it needs on a fresh machine.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test lint serve

# Render-only install: the example site's talks are cached, so no model is needed.
site:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e .
	cd example-site && ../$(BIN)/mkdocs build --strict

serve: site
	cd example-site && ../$(BIN)/mkdocs serve

# Debian's chromium for the browser tests (root on CI; elsewhere install it yourself).
CHROMIUM_INSTALL := (command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium >/dev/null))

test:
	$(CHROMIUM_INSTALL) || echo "chromium could not be installed: the browser tests will be skipped"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[transcribe,test,ray]"
	$(BIN)/ruff check mkdocs_yt2doc tests bench
	$(BIN)/ruff format --check mkdocs_yt2doc tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -rs

lint:
	$(BIN)/ruff check mkdocs_yt2doc tests bench
	$(BIN)/ruff format --check mkdocs_yt2doc tests bench
	$(BIN)/mypy
