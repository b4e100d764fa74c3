# HICM Portal. The two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
# Test processes (pytest-xdist): `make test TEST_WORKERS=0` runs in this process alone.
TEST_WORKERS ?= 2

# Production-like settings for `make check` (never used to serve anything).
CHECK_ENV := DEBUG=0 SECRET_KEY=check-only-$(shell printf '%050d' 0) ALLOWED_HOSTS=portal.example \
	SECURE_SSL_REDIRECT=1 SESSION_COOKIE_SECURE=1 CSRF_COOKIE_SECURE=1 \
	SECURE_HSTS_SECONDS=31536000 SECURE_HSTS_INCLUDE_SUBDOMAINS=1 SECURE_HSTS_PRELOAD=1

.PHONY: install run test lint format check assets clean bench

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

## make run: install, migrate SQLite, load frameworks and the demo, serve on 127.0.0.1:8000
## (`make run PORT=8001` for another port; e-mail links follow it unless PORTAL_URL is set)
PORT ?= 8000
RUN_ENV := DEBUG=1 PORTAL_URL=$(or $(PORTAL_URL),http://127.0.0.1:$(PORT))

run: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py load_frameworks
	$(RUN_ENV) $(PY) manage.py load_casestudies
	$(RUN_ENV) $(PY) manage.py seed_demo $(if $(DEMO_PASSWORD),--password "$(DEMO_PASSWORD)")
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

## make test: the whole suite (browser tests skip without Chromium, except with CI=true)
test: install
	DEBUG=1 $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install
	$(CHECK_ENV) $(PY) manage.py check --deploy --fail-level WARNING
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	DEBUG=1 $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

## make bench: national-scale data, gunicorn with DEBUG off, the budgets of DESIGN §8 (benchmarks/);
## prints the table and writes .bench/bench.json. SQLite in .bench/ unless DATABASE_URL is set.
## BENCH_ARGS=--quick (a smoke run), --strict (exit 1 when a budget is missed)
BENCH_DATABASE_URL := $(or $(DATABASE_URL),sqlite:///$(CURDIR)/.bench/bench.sqlite3)
BENCH_ENV := DJANGO_SETTINGS_MODULE=hicm_portal.settings DEBUG=0 \
	SECRET_KEY=bench-only-$(shell printf '%050d' 0) ALLOWED_HOSTS=127.0.0.1 \
	DATABASE_URL=$(BENCH_DATABASE_URL)

bench: install
	mkdir -p .bench
	$(BENCH_ENV) $(PY) -m benchmarks.run --json .bench/bench.json $(BENCH_ARGS)

## make bench-import: a national file of past returns (150 areas × 8 changes, with investments)
## imported on a scratch SQLite database in a temporary folder; prints seconds and peak memory
## (benchmarks/import_returns.py). IMPORT_BENCH_ARGS="--format csv" or "--areas 50"
.PHONY: bench-import
bench-import: install
	$(PY) -m benchmarks.import_returns $(IMPORT_BENCH_ARGS)

## make profile: each key page's CPU time built in one process against the baseline page, the pages
## taken in turn (steadier than gunicorn's figures on a busy machine). PROFILE_ARGS="--page review" adds
## that page's cProfile; same database as make bench.
.PHONY: profile
profile: install
	mkdir -p .bench
	$(BENCH_ENV) $(PY) -m benchmarks.profile $(PROFILE_ARGS)

## make soak: 50 users for SOAK_SECONDS (90) on gunicorn with DEBUG off against PostgreSQL, one worker
## killed and the database restarted mid-run; exit 1 on any lost write (benchmarks/soak.py). It drops
## and creates SOAK_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/soak). SOAK_ARGS=--no-restart
.PHONY: soak
soak: install
	mkdir -p .soak
	$(PY) -m benchmarks.soak --json .soak/soak.json $(SOAK_ARGS)

## make assets: rebuild the vendored GOV.UK Frontend (needs npm)
assets:
	bash scripts/build_assets.sh

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
