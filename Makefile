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

# Debian's chromium for the browser tests and espeak-ng for speech with names (root on CI;
# elsewhere install them yourself).
DEBIAN_INSTALL := ((command -v chromium && command -v espeak-ng) >/dev/null || (apt-get update -q && apt-get install -y -q chromium espeak-ng >/dev/null))

test:
	$(DEBIAN_INSTALL) || echo "chromium or espeak-ng could not be installed: their tests will be skipped"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[transcribe,whispercpp,test,ray]"
	$(BIN)/ruff check mkdocs_yt2doc tests bench
	$(BIN)/ruff format --check mkdocs_yt2doc tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -rs

lint:
	$(BIN)/ruff check mkdocs_yt2doc tests bench
	$(BIN)/ruff format --check mkdocs_yt2doc tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
