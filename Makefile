# Wegwijs — every command in README.md is a target here. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
PYTHON ?= $(shell scripts/find-python310.sh)
STAMP  := $(VENV)/.installed

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONDONTWRITEBYTECODE := 1
# Rasa 3.6's dependencies print pages of deprecation warnings that say nothing about our code.
export PYTHONWARNINGS := ignore::DeprecationWarning,ignore::PendingDeprecationWarning

.PHONY: help install run train test lint typecheck validate content-check nlu-eval \
        conversation-test bench-nlu browser-deps lexicon lock clean pytest unit purge report staff bench

help: ## List the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || exit 1
	@echo "Installing into $(VENV) with $(PYTHON) (first time: a few minutes, ~3 GB)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.0"
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	$(PY) -m pip check
	@touch $(STAMP)

install: $(STAMP) ## Create .venv with Python 3.10 and install the pinned dependencies

train: $(STAMP) ## Train the model if data, domain or config changed (content hash)
	$(PY) -m bot train

run: $(STAMP) ## Run the assistant locally: web chat, Rasa server and action server
	$(PY) -m bot run

test: lint typecheck validate content-check pytest nlu-eval conversation-test ## Run every check and test (what CI runs)

lint: $(STAMP) ## ruff lint and format check; the import rules of the architecture (pyproject.toml)
	$(VENV)/bin/ruff check bot actions tests scripts
	$(VENV)/bin/ruff format --check bot actions tests scripts
	$(VENV)/bin/lint-imports

typecheck: $(STAMP) ## mypy on bot/ and actions/
	$(VENV)/bin/mypy

validate: $(STAMP) ## rasa data validate, warnings are errors
	$(VENV)/bin/rasa data validate --fail-on-warnings --quiet

content-check: $(STAMP) ## Check the answer files in locales/ (what editors change)
	$(PY) -m bot content-check

# The model is trained before pytest, not inside its first test: on a slow host a training
# from scratch outlasted pytest's 15-minute limit per test (2026-12-03: 760 s by itself).
pytest: $(STAMP) train ## pytest: unit, integration (the current model, trained first if needed) and browser tests
	$(VENV)/bin/pytest -q

unit: $(STAMP) ## Unit tests only: no model, no training, no browser (the fast loop, < 1 min)
	$(VENV)/bin/pytest -q -m "not model and not browser" tests/unit

nlu-eval: $(STAMP) ## NLU accuracy per language on held-out examples, with minimum targets
	$(PY) -m bot bench-nlu --check

conversation-test: $(STAMP) ## Conversation tests (rasa test core on tests/conversations)
	$(PY) -m bot conversation-test

bench: $(STAMP) ## Speed, memory, training beside plain rasa init; why a target is missed (ARGS=--profile)
	$(PY) -m bot bench $(ARGS)

bench-nlu: $(STAMP) ## Print per-language NLU figures (accuracy, macro-F1, fallback rate, confusions)
	$(PY) -m bot bench-nlu

report: $(STAMP) ## What editors need: not understood, answers, topics at the desk (ARGS="--since 2026-12-01 --json")
	$(PY) -m bot report $(ARGS)

purge: $(STAMP) ## Delete conversations older than WEGWIJS_KEEP_CONVERSATIONS_DAYS (default 30)
	$(PY) -m bot purge

staff: $(STAMP) ## Desk staff accounts: make staff ARGS="add anna [--admin|--editor]" (or password, remove, list)
	$(PY) -m bot staff $(or $(ARGS),list)

browser-deps: ## Install Debian's chromium for the browser test (needs root)
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

lexicon: $(STAMP) ## Rebuild the Latin-letter Bulgarian lexicon from data/nlu/bg
	$(PY) scripts/build_latin_bulgarian_lexicon.py

lock: ## Re-resolve and pin all dependencies into constraints.txt
	$(PY) -m pip freeze --exclude-editable | grep -v '^pip==' > constraints.new
	{ head -2 constraints.txt; cat constraints.new; } > constraints.txt; rm constraints.new

clean: ## Remove models, caches and local conversation data (keeps .venv)
	rm -rf models var .cache .pytest_cache .mypy_cache .ruff_cache
