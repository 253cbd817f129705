# Touchpoint.
#   make run     set up everything on a fresh machine and start the app with two demo workspaces
#   make test    run the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
#   make lint    ruff, formatting, mypy, import contracts and missing migrations
#   make bench   run every bench/bench_*.py (BENCH_ARGS="--only engine --small")
# Everything lives in .venv and var/ (SQLite database, mail, exports); `make clean` removes var/.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT  # seed_demo prints the login URL with it
STAMP := $(VENV)/.installed
DEMO_LOGIN := demo@touchpoint.local / touchpoint-demo

.PHONY: install messages setup run test lint bench bench-engine worker beat clean

# The virtualenv is rebuilt only when pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is required (python3.11 not found)"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
		|| { echo "Python 3.11 is required; $(PYTHON) is $$($(PYTHON) --version)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Compiled translations (.mo) are built from locale/*.po when GNU gettext is installed.
messages: $(STAMP)
	@if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
		if command -v msgfmt >/dev/null 2>&1; then \
			$(PY) manage.py compilemessages --ignore=.venv --verbosity 0; \
		else \
			echo "note: gettext (msgfmt) is not installed; using the compiled catalogs in locale/"; \
		fi; \
	fi

setup: $(STAMP) messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --workspace "Demo" --scale small
	$(PY) manage.py seed_demo --workspace "Demo Enterprise" --scale small --tier enterprise

run: setup
	@echo ""
	@echo "  Touchpoint: http://127.0.0.1:$(PORT)/"
	@echo "  Log in as   $(DEMO_LOGIN)"
	@echo "  Tasks run in-process; email is written to var/mail/. Stop with Ctrl+C."
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# pytest exits 5 when it collected no tests; an empty selection is not a failure here.
test: $(STAMP) messages
	DJANGO_ENV=test $(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
		if [ $$status -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$status

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

bench: $(STAMP)
	$(PY) bench/run_all.py $(BENCH_ARGS)

bench-engine: $(STAMP)
	$(PY) bench/run_all.py --only engine $(BENCH_ARGS)

worker: $(STAMP)
	$(VENV)/bin/celery -A config worker -l info

beat: $(STAMP)
	mkdir -p var
	$(VENV)/bin/celery -A config beat -l info --schedule var/celerybeat-schedule

clean:
	rm -rf var staticfiles
