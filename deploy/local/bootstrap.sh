#!/usr/bin/env bash
# Installs everything FotoAI needs on a fresh Debian machine: uv, the Python environment (all
# packages, from uv.lock), Java and Maven for Kafka and S3Proxy, and Redis. Idempotent: a second
# run takes seconds. The Kafka and S3Proxy jars are fetched by the launcher on first start.
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { printf '[bootstrap] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
apt_install() {
  say "installing Debian packages: $*"
  if [ -z "${FOTOAI_APT_UPDATED:-}" ]; then as_root apt-get update -qq || true; export FOTOAI_APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  say "Python 3.11+ is required (found: $("$PYTHON" --version 2>&1)). Install python3.11 and retry."; exit 1
fi
if ! command -v uv >/dev/null 2>&1; then
  say "installing uv (the Python package manager) from PyPI …"
  "$PYTHON" -m pip install --quiet uv || "$PYTHON" -m pip install --quiet --user uv
  export PATH="$HOME/.local/bin:$PATH"
fi

if ! command -v java >/dev/null 2>&1; then apt_install openjdk-17-jre-headless || { say "Java 17 is required: install openjdk-17-jre-headless"; exit 1; }; fi
if ! command -v mvn >/dev/null 2>&1; then apt_install maven || { say "Maven is required: install maven"; exit 1; }; fi
if ! command -v redis-server >/dev/null 2>&1; then
  apt_install redis-server || say "redis-server could not be installed: rate limits will be per gateway process"
fi

say "syncing the Python environment (.venv) from uv.lock (torch makes the first run take a few minutes) …"
t0=$(date +%s)
uv sync --all-packages --locked --python "$PYTHON"
say "Python environment ready in $(( $(date +%s) - t0 )) s"
