# Tandem — the commands people, hooks and CI share.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
BIND ?= 127.0.0.1:8000

.PHONY: install demo serve test test-browser lint format typecheck messages openapi lock check clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | grep -v "WARNING: Location" || true
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock 2>&1 | grep -v "WARNING: Location" || true
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e . 2>&1 | grep -v "WARNING: Location" || true
	$(BIN)/python -c "import django, tandem" && touch $(STAMP)

install: $(STAMP)

# From a fresh clone: install, migrate, seed, serve on the embedded default (SQLite).
demo: install
	DEBUG=$${DEBUG:-true} $(BIN)/tandem demo --bind $(BIND)

serve: install
	$(BIN)/tandem serve --bind $(BIND)

# Every test. On PostgreSQL: DATABASE_URL=postgres://... make test
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-browser: install
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy .

messages: install
	cd tandem && DEBUG=true ../$(BIN)/tandem makemessages -l fr -l en --ignore "tests/*"
	DEBUG=true $(BIN)/tandem compilemessages --ignore ".venv/*"

# Regenerate the committed OpenAPI schema after changing the JSON API (a test compares them).
openapi: install
	DEBUG=$${DEBUG:-true} $(BIN)/python -m tandem.cli export_openapi > docs/api/openapi.json.tmp \
		&& mv docs/api/openapi.json.tmp docs/api/openapi.json \
		|| { rm -f docs/api/openapi.json.tmp; exit 1; }

check: lint typecheck test

# Re-pin every dependency (needs the package registry).
lock:
	$(BIN)/pip-compile --quiet --no-emit-index-url --no-emit-find-links --strip-extras --extra dev --output-file requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) var staticfiles
