# The two commands the README promises: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
FLASK := $(BIN)/flask --app caseapp

.PHONY: run test install lint format assets clean bench load

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

install: $(INSTALLED)

run: install
	$(FLASK) db upgrade
	$(FLASK) demo-data --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

# One pytest worker per core (pytest-xdist): every worker has its own databases and
# live server, so they never share state.
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n auto

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Key pages at N = 1,000 and N = 100,000 families on SQLite and PostgreSQL; see README.
bench: install
	$(BIN)/python -m tests.perf.bench

# gunicorn on PostgreSQL with 100,000 families, 50 Locust users for 5 minutes.
# Locust lives in its own virtualenv so its dependencies never touch the app's.
load: install
	@test -x .venv-load/bin/locust || ($(PYTHON) -m venv .venv-load && .venv-load/bin/python -m pip install --quiet --disable-pip-version-check 'locust==2.47.0')
	$(BIN)/python -m tests.perf.load

# Rebuilds static/vendor and static/css from the pinned npm packages (needs Node.js).
assets:
	bash assets/build.sh

clean:
	rm -rf $(VENV) .venv-load .pytest_cache .ruff_cache
