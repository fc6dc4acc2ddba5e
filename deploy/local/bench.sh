#!/usr/bin/env bash
# `make bench`: every benchmark under bench/, each printing a table of ratios against its peer.
# BENCH_ARGS=--quick for a short run. Benchmarks that need the stack say so and start nothing.
set -uo pipefail
cd "$(dirname "$0")/../.."
rc=0
for b in bench/*.py; do
  printf '\n===== %s\n' "$b"
  .venv/bin/python "$b" ${BENCH_ARGS:-} || { echo "[bench] $b failed" >&2; rc=1; }
done
exit $rc
