# Everything runs from a project-local virtualenv that the targets create on demand, so a fresh clone needs
# nothing but python3 (3.11+) and network access to the package registry.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
# The same suite again with the previous SDK major: openai 2.x sends through httpx, 3.x through httpx2.
VENV2 := .venv-openai2
DEV2_STAMP := $(VENV2)/.installed-dev

.PHONY: run test fuzz lint fmt typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(RUN_STAMP)

$(VENV2)/bin/python:
	$(PYTHON) -m venv $(VENV2)
	$(VENV2)/bin/python -m pip install --quiet --upgrade pip

$(DEV2_STAMP): pyproject.toml | $(VENV2)/bin/python
	$(VENV2)/bin/python -m pip install --quiet -e '.[dev]' 'openai>=2,<3'
	touch $@

run: $(RUN_STAMP)
	$(BIN)/mockserver serve --host 127.0.0.1 --port 8000

# Two workers: the machine has two cores, and every test owns its servers and ports.
test: $(DEV_STAMP) $(DEV2_STAMP)
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)
	@echo "--- again with openai 2.x (httpx), without the SDK-independent heavy tests ---"
	$(VENV2)/bin/python -m pytest -n 2 -m "not heavy" $(PYTEST_ARGS)

fuzz: $(DEV_STAMP)
	MOCKSERVER_FUZZ_EXAMPLES=$${MOCKSERVER_FUZZ_EXAMPLES:-300} MOCKSERVER_PROPERTY_EXAMPLES=$${MOCKSERVER_PROPERTY_EXAMPLES:-200} \
	MOCKSERVER_HOSTILE_EXAMPLES=$${MOCKSERVER_HOSTILE_EXAMPLES:-1000} MOCKSERVER_SOAK_JOBS=$${MOCKSERVER_SOAK_JOBS:-50000} \
		$(BIN)/python -m pytest tests/test_fuzz.py tests/test_properties.py tests/test_hostile_fuzz.py \
		tests/webhooks/test_soak.py $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

fmt: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

bench: $(DEV_STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(VENV2) .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info
