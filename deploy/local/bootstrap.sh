#!/usr/bin/env bash
# Installs everything FotoAI needs on a fresh Debian machine: uv, the Python environment (all
# packages, from uv.lock), Java and Maven for Kafka and S3Proxy, Redis, and kustomize. Idempotent: a second
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
if ! command -v valkey-server >/dev/null 2>&1 && ! command -v redis-server >/dev/null 2>&1; then
  # Valkey (BSD-3-Clause) where the distribution has it, else Debian's redis-server 7.0 (BSD).
  apt_install valkey-server || apt_install redis-server \
    || say "neither valkey-server nor redis-server could be installed: rate limits will be per gateway process"
fi
if ! command -v tesseract >/dev/null 2>&1; then
  # The text service reads text in photos with Tesseract (Debian's 5.3, English data).
  apt_install tesseract-ocr tesseract-ocr-eng || say "tesseract-ocr could not be installed: the text service will not start"
fi

# tests/deploy renders deploy/k8s with the real kustomize: kubectl's built-in one, else a standalone
# kustomize built from its Go module (Debian's kubernetes-client is 1.20, far too old).
KUSTOMIZE_MODULE=sigs.k8s.io/kustomize/kustomize/v5@v5.5.0
FOTOAI_CACHE=${FOTOAI_CACHE:-$HOME/.cache/fotoai}
if ! { command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; } \
   && ! command -v kustomize >/dev/null 2>&1 && [ ! -x "$FOTOAI_CACHE/bin/kustomize" ]; then
  if ! command -v go >/dev/null 2>&1; then apt_install golang-go || true; fi
  say "installing kustomize ($KUSTOMIZE_MODULE) from the Go module proxy into $FOTOAI_CACHE/bin …"
  GOBIN="$FOTOAI_CACHE/bin" GOTOOLCHAIN=auto go install "$KUSTOMIZE_MODULE" \
    || say "kustomize could not be installed: the deployment tests will fail"
fi

say "syncing the Python environment (.venv) from uv.lock (torch makes the first run take a few minutes) …"
t0=$(date +%s)
uv sync --all-packages --locked --python "$PYTHON"
say "Python environment ready in $(( $(date +%s) - t0 )) s"
