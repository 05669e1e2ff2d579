# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
DEMO_EVENT := events/temamote-industri-2021.toml

.PHONY: run test test-fast setup lint clean translations browser-tools

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## The message catalogues (translations/*/LC_MESSAGES/*.po) compiled for Flask-Babel.
CATALOGUES := $(wildcard translations/*/LC_MESSAGES/messages.po)
$(CATALOGUES:.po=.mo): %.mo: %.po | $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

## Re-extract the source texts (Norwegian) and merge them into every catalogue.
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --sort-output -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --width 100

## Debian's chromium and Java (apt-get), axe-core and vnu-jar (npm ci) for tests/e2e, each only when missing.
browser-tools:
	sh scripts/browser-tools.sh

setup: $(VENV)/.installed $(CATALOGUES:.po=.mo)

## Set up, migrate, load a demo copy of the meeting dated in the future (only when it is
## not there yet: an existing one is left as the organiser has it), and serve
## http://127.0.0.1:$(PORT) with the embedded scheduler and mail sink (/dev/mailbox).
## `make run PORT=5050` serves on another port; email links (BASE_URL) follow it.
PORT ?= 5000
BASE_URL ?= http://127.0.0.1:$(PORT)
DEV := APP_ENV=development BASE_URL=$(BASE_URL)
run: setup
	$(DEV) $(FLASK) db upgrade
	$(DEV) $(FLASK) event load --demo --create-only $(DEMO_EVENT)
	$(DEV) $(FLASK) run --host 127.0.0.1 --port $(PORT)

## Set up and run the whole test suite twice: on SQLite files, then on the PostgreSQL at
## TEST_DATABASE_URL (its tests skip, saying why, when it is unreachable). Tests marked
## own_database pick both databases themselves, tests marked once do not depend on the
## database (or a smaller case proves the same on PostgreSQL), and the browser tests
## (tests/e2e) run the server on SQLite, so these run in the first pass only. Each pass runs on two pytest-xdist
## workers (-n 2); each worker has its own PostgreSQL database beside TEST_DATABASE_URL's
## (test_gw0, test_gw1, made when missing).
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export TEST_DATABASE_URL
test: setup browser-tools
	$(BIN)/pytest -q -n 2 $(PYTEST_ARGS)
	TEST_BACKEND=postgresql $(BIN)/pytest -q -n 2 -m "not own_database and not once" --ignore=tests/e2e $(PYTEST_ARGS)

## The inner loop: every test but those marked slow (over about 5 s), on SQLite.
test-fast: setup
	$(BIN)/pytest -q -m "not slow" $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) instance .pytest_cache
