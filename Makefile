# The two commands of the README:
#   make start   set everything up (virtualenv, packages, translations, database, demo data,
#                admin account) and serve the app at http://127.0.0.1:8000 on SQLite
#   make test    run the whole test suite (SQLite by default; DATABASE_URL=postgres://… for PostgreSQL)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: start setup test lint format messages clean bench

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

messages: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv --verbosity 0

setup: messages
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py load_demo
	DEBUG=1 $(BIN)/python manage.py ensure_admin

start: setup
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

test: messages
	$(BIN)/python -m pytest

# Issue 6's benchmarks against a PostgreSQL database of their own (bench/README.md)
bench: messages
	bash bench/run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var/indh.sqlite3 staticfiles
