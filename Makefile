# GRS: `make run` (fresh machine → running demo) and `make test` (the whole suite, SQLite + PostgreSQL).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test bench install install-test translations clean migration check-python

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "GRS needs Python 3.11 or newer")'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the project's metadata changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

translations: | $(BIN)/python
	@$(BIN)/python -c 'import babel' 2>/dev/null || $(BIN)/pip install --quiet babel
	@for d in $$(find grs channels social_audit -type d -name translations); do \
	  $(BIN)/pybabel compile --statistics -d $$d || exit 1; done

run: install
	$(BIN)/grs db upgrade
	$(BIN)/grs demo --if-empty
	$(BIN)/grs serve --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-test
	$(BIN)/python bench/run.py

# Regenerate translation catalogues from the sources (then translate new entries in messages.po).
extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o grs/translations/messages.pot .
	$(BIN)/pybabel update -i grs/translations/messages.pot -d grs/translations --no-fuzzy-matching

migration: install
	$(BIN)/grs db migrate -m "$(m)"

clean:
	rm -rf $(VENV) instance .pytest_cache
