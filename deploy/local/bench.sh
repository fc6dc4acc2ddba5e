#!/usr/bin/env bash
# `make bench`: every benchmark under bench/, each printing a table of ratios against its peer.
# BENCH_ARGS=--quick for a short run. Several benchmarks drive the real stack: when none is
# running, this starts one (`make up`, in $FOTOAI_HOME or .fotoai) and stops it at the end;
# BENCH_NO_STACK=1 runs only what needs no stack (the others then say in one line how to run).
set -uo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python

stack_up() {
  "$PY" - <<'PY'
import sys
import httpx
from fotoai.servicekit.testing import load_stack_env
env = load_stack_env()
try:
    ok = bool(env) and httpx.get(env["FOTOAI_GATEWAY_URL"] + "/healthz", timeout=5).status_code == 200
except httpx.HTTPError:
    ok = False
sys.exit(0 if ok else 1)
PY
}

started=0
if [ "${BENCH_NO_STACK:-0}" != 1 ] && ! stack_up; then
  echo "[bench] no stack is running: starting one (make up); it is stopped at the end"
  if make -s up; then started=1; else echo "[bench] the stack did not start: stack benchmarks will say how to run them" >&2; fi
fi

rc=0
for b in bench/*.py; do
  printf '\n===== %s\n' "$b"
  "$PY" "$b" ${BENCH_ARGS:-} || { echo "[bench] $b failed" >&2; rc=1; }
done
if [ "$started" = 1 ]; then make -s down; fi
exit $rc
