# oms-hub: everything a fresh machine needs is reachable from `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export OMS_HUB_HOME ?= $(CURDIR)/warehouse
export DAGSTER_HOME ?= $(CURDIR)/.dagster
export GX_ANALYTICS_ENABLED := false

ORDERS ?= 20000
DAYS ?= 30
SEED ?= 7

.PHONY: help setup system demo test test-all lint format dagster bench bench-edi bench-identity docs clean

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(BIN)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (3.11+)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/.installed  ## create .venv and install oms-hub with its dependencies

# OpenSSH sshd: the SFTP tests start a real server on loopback (apt-get, only when missing).
system:  ## system packages the tests need (openssh-server)
	@test -x /usr/sbin/sshd || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server >/dev/null; }

$(DAGSTER_HOME)/dagster.yaml: deploy/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp deploy/dagster.yaml $@

demo: setup $(DAGSTER_HOME)/dagster.yaml  ## build a sample world and run the whole pipeline into ./warehouse
	$(BIN)/oms-hub demo --orders $(ORDERS) --days $(DAYS) --seed $(SEED)

test: setup system  ## the default test suite (what CI runs)
	$(BIN)/pytest -q

test-all: setup system  ## every test, slow ones included
	$(BIN)/pytest -q -m ''

lint: setup  ## ruff lint + format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

dagster: setup $(DAGSTER_HOME)/dagster.yaml  ## the Dagster UI on http://127.0.0.1:3000
	$(BIN)/dagster dev -w workspace.yaml

bench: setup  ## POS pipeline benchmark (LINES=1000000 by default)
	$(BIN)/python benchmarks/pipeline_bench.py --lines $${LINES:-1000000}

bench-edi: setup  ## EDI parse throughput on a ~100 MB interchange batch (MB=100)
	$(BIN)/python benchmarks/edi_parse_bench.py --mb $${MB:-100}

bench-identity: setup  ## identity resolution: FEBRL3 + synthetic 10k/100k/1M, incremental 1%
	$(BIN)/python benchmarks/identity_bench.py --sizes 10000 100000 1000000 --incremental 1000000

docs: setup  ## regenerate docs/data-dictionary.md from the contracts
	$(BIN)/oms-hub docs --out docs/data-dictionary.md

clean:  ## remove the generated warehouse (keeps .venv)
	rm -rf warehouse/landing warehouse/lake warehouse/state warehouse/truth warehouse/reports \
	       warehouse/outbox warehouse/oms.duckdb $(DAGSTER_HOME)
