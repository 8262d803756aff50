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

# llama.cpp's server for tests/test_llm_real.py is compiled from source (minutes): its wheel is
# built first, in the background, while the rest is installed, then waited for.
LLAMA        := llama-cpp-python==0.3.36
LLAMA_WHEELS := $(VENV)/wheels
LLAMA_LOG    := $(VENV)/llama-build.log
LLAMA_RC     := $(VENV)/llama-build.rc
LLAMA_BUILD  := ls $(LLAMA_WHEELS)/llama_cpp_python-0.3.36-*.whl >/dev/null 2>&1 || \
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/python -m pip wheel --disable-pip-version-check \
	--no-deps -w $(LLAMA_WHEELS) "$(LLAMA)"

test:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	rm -f $(LLAMA_RC)
	(date; $(LLAMA_BUILD); echo $$? >$(LLAMA_RC); date) >$(LLAMA_LOG) 2>&1 &
	$(DEBIAN_INSTALL) || echo "chromium or espeak-ng could not be installed: their tests will be skipped"
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[transcribe,whispercpp,test,ray]"
	@echo "waiting for the $(LLAMA) build (log: $(LLAMA_LOG))"
	@while [ ! -s $(LLAMA_RC) ]; do sleep 5; done
	@test "$$(cat $(LLAMA_RC))" = 0 || { tail -n 40 $(LLAMA_LOG); \
		echo "$(LLAMA) failed to build from source: see $(LLAMA_LOG)"; exit 1; }
	$(BIN)/python -m pip install -q --disable-pip-version-check --find-links $(LLAMA_WHEELS) \
		--only-binary llama-cpp-python -e ".[llm-test]"
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
