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

.PHONY: help bootstrap run up down status test test-fast test-unit bench lint types docs schemas clean

help:
	@echo "make run | up | down | status | test | test-fast | bench | lint | types | docs | schemas"

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

# The checks (lint, types, docs in sync) and every test, against a stack of its own
# (.fotoai/test, ports + 100): starts it (or reuses it when it runs) and stops it after.
test: bootstrap
	@bash deploy/local/test.sh

# Unit and contract tests only: no stack needed, a few seconds.
test-fast: bootstrap
	$(PY) -m pytest -q -m "not integration and not e2e and not slow"

bench: bootstrap
	@bash deploy/local/bench.sh

lint: bootstrap
	$(PY) -m ruff check libs services tools tests bench docs
	.venv/bin/lint-imports
	@$(MAKE) --no-print-directory types

# mypy over every package of the workspace (libs/*, services/*, tools/*) and every test: the
# tests' `# type: ignore` comments answer to the same checker. Test functions may stay
# unannotated (fixtures), so their bodies are checked where they are annotated.
SRC_DIRS := $(wildcard libs/*/src services/*/src tools/*/src)
TEST_DIRS := tests $(wildcard libs/*/tests services/*/tests tools/*/tests)
EMPTY :=
SPACE := $(EMPTY) $(EMPTY)
types: bootstrap
	MYPYPATH=$(subst $(SPACE),:,$(SRC_DIRS)) $(PY) -m mypy $(SRC_DIRS) $(TEST_DIRS)

# The generated parts of docs/ (AsyncAPI, topics, settings reference), from the code.
docs: bootstrap
	$(PY) docs/generate.py --write

schemas: bootstrap
	$(PY) -m fotoai.contracts.schema_snapshots --write

clean: down
	rm -rf .fotoai .venv
