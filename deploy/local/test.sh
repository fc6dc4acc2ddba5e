#!/usr/bin/env bash
# `make test`: every test against the real local stack. Starts the stack (or reuses a running
# one), runs pytest (unit, contract, integration, end-to-end) and the web app's tests, and stops
# the stack again if it started it. Exits non-zero when any test fails.
set -uo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
STACK_ENV="${FOTOAI_STACK_ENV:-${FOTOAI_HOME:-.fotoai}/stack.env}"
say() { printf '[test] %s\n' "$*" >&2; }

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

rc=0
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
