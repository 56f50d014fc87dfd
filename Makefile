# nianbao — `make help` lists the targets.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
SEEDS ?= ../shared/seeds

.DEFAULT_GOAL := help
.PHONY: help install system-deps demo run ui test lint format fixtures golden bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: ## Create .venv and install nianbao with its dev tools (idempotent)
	@bash scripts/bootstrap

system-deps: ## Install the Debian packages the tests need (PostgreSQL), when run as root
	@bash scripts/system-deps

demo: install ## The main job: parse the seed reports and show their tables
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

fixtures: install ## Rebuild the fixture documents from the seeds
	$(BIN)/python scripts/build_fixtures.py --seeds $(SEEDS)

golden: install ## Rebuild the golden JSON of every fixture (review the diff!)
	$(BIN)/python scripts/build_golden.py

bench: install ## Run the benchmarks (loading into SQLite and PostgreSQL)
	$(BIN)/python bench/load.py

clean: ## Remove the venv and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
