# The two commands of the README: `make run` and `make test`. Both build the virtual environment
# themselves, so a fresh clone needs nothing installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check unit integration e2e migration bench clean

# A new venv's setuptools is too old to build this project's wheel (the wheel smoke test).
$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 'setuptools>=69' wheel
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/etwin-lti serve --demo

test: $(STAMP)
	bash scripts/ensure-services.sh
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

integration: $(STAMP)
	bash scripts/ensure-services.sh
	$(BIN)/python -m pytest tests/integration tests/contract $(PYTEST_ARGS)

e2e: $(STAMP)
	bash scripts/ensure-services.sh
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy etwin_lti connectors moodle_bridge schemas
	$(BIN)/lint-imports

# Regenerates the initial migration from the models (the schema has not shipped yet).
migration: $(STAMP)
	$(BIN)/python scripts/regenerate_migration.py

bench: $(STAMP)
	$(BIN)/etwin-lti bench

clean:
	rm -rf $(VENV) build dist *.egg-info instance
