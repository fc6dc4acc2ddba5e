# FotoAI front door. `make run` starts the whole stack in the foreground, `make test` runs every
# test (it bootstraps a fresh machine and starts the stack itself). See README.md.
SHELL := /bin/bash
PY := .venv/bin/python

# Registries may sit behind a TLS-inspecting proxy: trust the system CA bundle when there is one.
CA_BUNDLE := $(wildcard /etc/ssl/certs/ca-certificates.crt)
ifneq ($(CA_BUNDLE),)
export SSL_CERT_FILE ?= $(CA_BUNDLE)
export REQUESTS_CA_BUNDLE ?= $(CA_BUNDLE)
export NODE_EXTRA_CA_CERTS ?= $(CA_BUNDLE)
endif

.PHONY: help bootstrap run up down status test test-fast test-unit bench lint schemas clean

help:
	@echo "make run | up | down | status | test | test-fast | bench | lint | schemas"

bootstrap: .venv/.fotoai-bootstrapped

.venv/.fotoai-bootstrapped: pyproject.toml uv.lock $(wildcard libs/*/pyproject.toml services/*/pyproject.toml tools/*/pyproject.toml)
	@bash deploy/local/bootstrap.sh
	@touch $@

run: bootstrap
	$(PY) -m fotoai.stack run

up: bootstrap
	$(PY) -m fotoai.stack up

down:
	@if [ -x $(PY) ]; then $(PY) -m fotoai.stack down; fi

status:
	$(PY) -m fotoai.stack status

# Every test, against the real stack: starts it (or reuses a running one) and stops it after.
test: bootstrap
	@bash deploy/local/test.sh

# Unit and contract tests only: no stack needed, a few seconds.
test-fast: bootstrap
	$(PY) -m pytest -q -m "not integration and not e2e and not slow"

bench: bootstrap
	@bash deploy/local/bench.sh

lint: bootstrap
	$(PY) -m ruff check libs services tools tests bench
	.venv/bin/lint-imports

schemas: bootstrap
	$(PY) -m fotoai.contracts.schema_snapshots --write

clean: down
	rm -rf .fotoai .venv
