# Prudence: the two commands a newcomer needs are `make demo` and `make test`.
# Everything else here is what those two are made of.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install translations migrate seed serve lint format messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

translations: install
	$(BIN)/python manage.py compiletranslations

migrate: translations
	$(BIN)/python manage.py migrate --no-input

# The demo book, scored at once as the nightly job would, so the data-quality screens have data.
seed: migrate
	$(BIN)/python manage.py seed_demo --contacts 2000 --if-empty
	$(BIN)/python manage.py run_job dataquality.score_full

serve:
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## The quick start: virtualenv, install, migrate, demo data, serve on http://127.0.0.1:8000
demo: seed serve

## Every test. pytest's exit code 5 (no tests collected) counts as failure.
test: translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=crm.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest --create-db; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "no tests ran: failing"; exit 1; fi; exit $$rc

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Re-extract the message catalogue (pure Python, no system gettext).
messages: install
	$(BIN)/python manage.py extract_messages

clean:
	rm -rf $(VENV) var/*.sqlite3
