#!/usr/bin/env bash
# `make test`: the checks (ruff, import contracts, mypy, docs in sync) and every test against a
# real local stack of its own. Starts that stack (or reuses it when it runs), runs pytest (unit,
# contract, integration, end-to-end) and the web app's tests, and stops the stack again if it
# started it. Exits non-zero when any check or test fails.
#
# The test stack lives in .fotoai/test with ports of its own (the defaults + 100), so test users,
# uploads and poison messages never land in the library of the stack `make run` starts. A caller
# that sets FOTOAI_HOME (and FOTOAI_PORT_*) chooses an isolated stack itself: it is used as is.
set -uo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
say() { printf '[test] %s\n' "$*" >&2; }

if [ -z "${FOTOAI_HOME:-}" ]; then
  export FOTOAI_HOME="$PWD/.fotoai/test"
  eval "$($PY -c '
import os
from fotoai.stack.config import DEFAULT_PORTS
for name, port in DEFAULT_PORTS.items():
    var = f"FOTOAI_PORT_{name.upper()}"
    print(f"export {var}={os.environ.get(var, port + 100)}")
')"
  unset FOTOAI_STACK_ENV
fi
STACK_ENV="${FOTOAI_STACK_ENV:-$FOTOAI_HOME/stack.env}"
say "test stack: $FOTOAI_HOME (gateway port ${FOTOAI_PORT_GATEWAY:-8000})"

rc=0
say "checks: ruff, import contracts, mypy, docs …"
make --no-print-directory lint || rc=1

started=0
if $PY -m fotoai.stack status >/dev/null 2>&1; then
  say "reusing the running stack ($(grep FOTOAI_GATEWAY_URL "$STACK_ENV" 2>/dev/null))"
else
  say "starting the local stack …"
  if ! $PY -m fotoai.stack up; then
    say "the stack did not start; logs follow"
    tail -n 40 "${FOTOAI_HOME:-.fotoai}"/logs/*.log >&2 || true
    $PY -m fotoai.stack down || true
    exit 1
  fi
  started=1
fi
cleanup() { if [ "$started" = 1 ]; then $PY -m fotoai.stack down; fi; }
trap cleanup EXIT

$PY -m pytest -q ${PYTEST_ARGS:-} || rc=$?
if [ "$rc" = 5 ]; then say "pytest collected no tests: that is a failure"; rc=1; fi

if [ -f web/package.json ] && [ "${FOTOAI_SKIP_WEB_TESTS:-0}" != 1 ]; then
  say "web app tests …"
  ( cd web && [ -d node_modules ] || npm ci --no-audit --no-fund ) || rc=1
  ( cd web && npm test --silent ) || rc=1
  if [ -x web/scripts/ensure-chromium.sh ] && grep -q '"test:e2e"' web/package.json; then
    bash web/scripts/ensure-chromium.sh || rc=1
    ( set -a; . "$(realpath "$STACK_ENV")"; set +a; cd web && npm run test:e2e --silent ) || rc=1
  fi
fi

if [ "$rc" = 0 ]; then say "all tests passed"; else say "tests FAILED (exit $rc)"; fi
exit $rc
