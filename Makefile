# GRS: `make run` (fresh machine → running demo) and `make test` (the whole suite on every core: SQLite, and
# PostgreSQL for the tests where the backend matters; PYTEST_ARGS=-n0 for one process).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test bench install install-test install-bench translations extract clean migration check-python

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

# The benchmarks' extra (py-spy, the profile behind each figure) on top of the test extras.
$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,bench]'
	@touch $(VENV)/.installed $(VENV)/.installed-test $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations
install-bench: $(VENV)/.installed-bench translations

# The app's one catalogue: grs/translations/<lang>/LC_MESSAGES/messages.po (pages, forms, services, USSD).
CATALOGUE := grs/translations
# What extraction looks for besides gettext, ngettext, pgettext and _: the lazy forms, N_ (service messages,
# translated where they are shown) and NC_ (USSD texts, under msgctxt "ussd"). tests/unit/test_i18n_catalogue.py
# runs extraction with this line.
EXTRACT_KEYWORDS := -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 -k N_ -k NC_:1c,2

translations: | $(BIN)/python
	@$(BIN)/python -c 'import babel' 2>/dev/null || $(BIN)/pip install --quiet babel
	$(BIN)/pybabel compile --statistics -d $(CATALOGUE)

run: install
	$(BIN)/grs db upgrade
	$(BIN)/grs demo --if-empty
	$(BIN)/grs serve --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# SIZE=small: every benchmark at about a tenth of its size, in minutes; SIZE=full (default): issue 14's sizes.
SIZE ?= full
bench: install-bench
	@command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq wrk; else sudo apt-get install -y -qq wrk; fi; }
	SIZE=$(SIZE) $(BIN)/python bench/run.py

# Regenerate the template from every source babel.cfg names and merge it into each language's messages.po,
# dropping texts no source uses any more; then translate the new (empty) entries and run `make translations`.
extract: install
	$(BIN)/pybabel extract -F babel.cfg $(EXTRACT_KEYWORDS) --add-location=file -o $(CATALOGUE)/messages.pot .
	$(BIN)/pybabel update -i $(CATALOGUE)/messages.pot -d $(CATALOGUE) --no-fuzzy-matching --ignore-obsolete

migration: install
	$(BIN)/grs db migrate -m "$(m)"

clean:
	rm -rf $(VENV) instance .pytest_cache
