# Chapterhouse. Quick start: `make demo` (serve the demo organisation) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_MEMBERS ?= 3000
DEMO_COUNTRIES ?=

.PHONY: demo test lint install serve messages clean bench bench-compare

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Set up (once) and serve the demo organisation on SQLite with the task worker
# (the dev extras installed by $(STAMP) include `demo`: Faker, for seed_demo).
demo: $(STAMP)
	mkdir -p var
	DEBUG=1 $(BIN)/python manage.py migrate --noinput -v0
	DEBUG=1 $(BIN)/python manage.py load_places $(if $(DEMO_COUNTRIES),--countries $(DEMO_COUNTRIES),)
	DEBUG=1 $(BIN)/python manage.py seed_demo --members $(DEMO_MEMBERS)
	DEBUG=1 $(BIN)/python manage.py seed_vision
	# Index what the demo wrote in bulk, so its search finds it at once.
	DEBUG=1 $(BIN)/python manage.py search_index --rebuild
	DEBUG=1 HOST=$(HOST) PORT=$(PORT) BIN=$(BIN) bin/serve

# Serve without setting anything up (production settings come from the environment).
serve: $(STAMP)
	HOST=$(HOST) PORT=$(PORT) BIN=$(BIN) bin/serve

test: $(STAMP)
	CHAPTERHOUSE_TESTING=1 $(BIN)/pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	mkdir -p var
	$(BIN)/ruff check .
	CHAPTERHOUSE_TESTING=1 $(BIN)/mypy chapterhouse
	$(BIN)/lint-imports --no-cache
	CHAPTERHOUSE_TESTING=1 $(BIN)/python manage.py makemigrations --check --dry-run

# Regenerate the translation catalogues (needs GNU gettext) and compile them.
# LANGS: every shipped language (settings.LANGUAGES) but English, the source.
LANGS ?= es fr pt de ar
messages: $(STAMP)
	cd chapterhouse && ../$(BIN)/python ../manage.py makemessages -l en $(addprefix -l ,$(LANGS)) --no-obsolete --ignore 'static/vendor/*'
	cd chapterhouse && ../$(BIN)/python ../manage.py makemessages -d djangojs -l en $(addprefix -l ,$(LANGS)) --no-obsolete --ignore 'static/vendor/*'
	cd chapterhouse && ../$(BIN)/python ../manage.py compilemessages

# Benchmark suite (bench/run.py): scratch PostgreSQL db on 127.0.0.1, loopback only.
# BENCH_ARGS: e.g. --ci (correctness only), --database sqlite, --drop, --strict.
TIER ?= S
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python bench/run.py --tier $(TIER) $(BENCH_ARGS)

# The scaling table (page latency at L / at M) from the newest results of each tier.
COMPARE ?= M L
bench-compare: $(STAMP)
	$(BIN)/python bench/run.py --compare $(COMPARE)

clean:
	rm -rf var
