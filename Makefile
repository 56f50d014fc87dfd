# nianbao — `make help` lists the targets.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
SEEDS ?= ../shared/seeds

.DEFAULT_GOAL := help
.PHONY: help install system-deps demo seeds ui test lint format fixtures mirror portals-doc golden bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

install: ## Create .venv and install nianbao with its dev tools (idempotent)
	@bash scripts/bootstrap

system-deps: ## Install the Debian packages the tests need (PostgreSQL, LibreOffice, CJK fonts, poppler, Chromium), when run as root
	@bash scripts/system-deps

demo: install system-deps ## The main job: crawl the bundled portal mirror, parse, load, check; show the flags
	$(BIN)/nianbao demo

seeds: install ## Parse the five seed reports and show their tables
	$(BIN)/nianbao parse $(wildcard $(SEEDS)/*.txt)

ui: install ## Start a local Prefect server + worker with the deployments of prefect.yaml (UI on :4200)
	$(BIN)/nianbao ui

test: install system-deps ## Install everything and run the whole (offline) test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q

lint: install ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Format the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

fixtures: install system-deps ## Rebuild the fixture documents from the seeds (needs LibreOffice)
	$(BIN)/python scripts/build_fixtures.py --seeds $(SEEDS)
	$(BIN)/python scripts/flatten.py --seeds $(SEEDS)

mirror: install ## Rebuild the local portal mirror (tests/fixtures/portals) from the seeds and fixtures
	$(BIN)/python scripts/build_mirror.py

portals-doc: install ## Regenerate docs/portals.md from rawstore/portals.py
	$(BIN)/python scripts/build_portals_doc.py

golden: install ## Rebuild the golden JSON of every fixture (review the diff!)
	$(BIN)/python scripts/build_golden.py

bench: install system-deps ## Run the benchmarks: parsing per format, loading, validating (docs/benchmarks.md)
	$(BIN)/python bench/parse.py
	$(BIN)/python bench/flat.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/validate.py

clean: ## Remove the venv and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
