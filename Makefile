# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask
export FLASK_APP := wsgi.py
# Outside `flask run` the app defaults to production; these targets are a developer's.
export IMPACT_ENV ?= development

.PHONY: run test browser install install-dev db demo check clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "impact needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamp files: reinstall only when a requirements file changes.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

db: install
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo load

## make run: migrate the embedded database, load the demo when it is empty, serve on http://127.0.0.1:5000
run: db
	$(FLASK) demo load --if-empty
	@echo "Serving on http://127.0.0.1:5000  (Ctrl+C to stop)"
	$(FLASK) run --host 127.0.0.1 --port 5000

## make test: the whole suite on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set,
## spread over the machine's cores (TEST_WORKERS=0 runs it in one process)
TEST_WORKERS ?= auto
test: install-dev lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## make lint: ruff with the rules in pyproject.toml (part of make test)
.PHONY: lint
lint: install-dev
	$(BIN)/ruff check .

## make bench: everything below, one after the other (SQLite in temporary files; BENCH_DATABASE_URL=
## postgresql+psycopg://... runs each on that PostgreSQL database too, DROPPING its schema public first):
##   bench-pages: the main pages and the card import, timed in the test client, on one large generated
##     project (BENCH_SCALE=1: 5,000 evidence items, 2,000 cards...);
##   bench-serve: a portfolio of BENCH_PROJECTS projects (100,000 cards, 50,000 evidence items in all)
##     under gunicorn, its pages loaded with wrk beside a bare Flask floor;
##   bench-load: one project's pages under gunicorn at each of BENCH_SCALES, warm (wrk, BENCH_SECONDS a
##     page), conditional (If-None-Match) and cold (BENCH_COLD requests, each after a change), beside the floor.
## See bench/README.md.
BENCH_SCALE ?= 1
BENCH_SCALES ?= 0.1 1 3
BENCH_REPEAT ?= 5
BENCH_PROJECTS ?= 500
BENCH_SECONDS ?= 10
BENCH_COLD ?= 20
.PHONY: bench bench-pages bench-serve bench-load load-tools
bench: bench-pages bench-serve bench-load
bench-pages: install
	$(BIN)/python -m bench.pages --scale $(BENCH_SCALE) --repeat $(BENCH_REPEAT) $(BENCH_ARGS)
bench-serve: install load-tools
	$(BIN)/python -m bench.serve --projects $(BENCH_PROJECTS) --seconds $(BENCH_SECONDS)
bench-load: install load-tools
	$(BIN)/python -m bench.project_load --scales $(BENCH_SCALES) --seconds $(BENCH_SECONDS) --cold $(BENCH_COLD) \
	  $(BENCH_LOAD_ARGS)

## wrk, the local HTTP load generator of bench-serve and bench-load (Debian's package; needs apt and root)
load-tools:
	@if command -v wrk >/dev/null; then echo "wrk is already installed"; \
	elif command -v apt-get >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk; \
	else echo "no apt-get here: install wrk by hand"; exit 1; fi

## make browser: install Debian's Chromium for the browser tests, and Pango for the report's PDF (needs apt and root)
browser:
	@if [ -x /usr/bin/chromium ] && ldconfig -p | grep -q libpangoft2; then echo "chromium and pango are already installed"; \
	elif command -v apt-get >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0; \
	else echo "no apt-get here: install Chromium at /usr/bin/chromium by hand"; exit 1; fi

## make check: models and migrations agree
check: install
	DATABASE_URL=sqlite:///$$(mktemp -d)/check.db sh -c '$(FLASK) db upgrade && $(FLASK) db check'

clean:
	rm -rf $(VENV) .pytest_cache
