# Two commands: `make run` and `make test`. Everything they need is installed from
# pyproject.toml, pinned by constraints.txt, into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export TUTELA_DATA_DIR ?= tutela-data

.PHONY: run test lint typecheck contracts unit bench bench-import bench-api bench-retention bench-consent bench-requests bench-scanner bench-scan-stream clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# On a fresh data directory: a new store and the synthetic demo shop imported; then the
# status, and `tutela serve` (the first start prints the owner's one-time setup link).
run: $(STAMP)
	@if [ ! -f "$(TUTELA_DATA_DIR)/tutela.db" ]; then \
	  $(BIN)/tutela init && \
	  $(BIN)/tutela demo generate --out "$(TUTELA_DATA_DIR)/demo" --orders 5000 > /dev/null && \
	  $(BIN)/tutela import --brief "$(TUTELA_DATA_DIR)"/demo/SYNTHETIC-*; \
	fi
	$(BIN)/tutela status
	$(BIN)/tutela serve

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest

test: lint typecheck contracts unit

bench: $(STAMP)
	$(BIN)/python bench/vault_write.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

bench-import: $(STAMP)
	$(BIN)/python bench/import.py

bench-api: $(STAMP)
	$(BIN)/python bench/api_load.py

bench-retention: $(STAMP)
	$(BIN)/python bench/retention.py

bench-consent: $(STAMP)
	$(BIN)/python bench/consent.py

bench-requests: $(STAMP)
	$(BIN)/python bench/requests.py

# Presidio lives in the benchmark's own environment, never in tutela's: pinned by
# bench/presidio-constraints.txt, installed from the configured package index once, and
# used offline from then on.
PRESIDIO_VENV := bench/.presidio-venv
$(PRESIDIO_VENV)/.installed-stamp: bench/presidio-requirements.txt bench/presidio-constraints.txt
	$(PYTHON) -m venv $(PRESIDIO_VENV)
	$(PRESIDIO_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
	  -c bench/presidio-constraints.txt -r bench/presidio-requirements.txt
	touch $@

bench-scanner: $(STAMP) $(PRESIDIO_VENV)/.installed-stamp
	$(BIN)/python bench/scanner.py --presidio-python $(PRESIDIO_VENV)/bin/python

bench-scan-stream: $(STAMP)
	$(BIN)/python bench/scan_stream.py
