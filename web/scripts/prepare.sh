#!/bin/sh
# Installs the web app's npm packages (from the lockfile) and builds it, each only when needed:
# a no-op taking well under a second when nothing changed. Used by serve.sh and by `make test`.
set -eu
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
dist="${FOTOAI_WEB_DIST:-.next}"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "web: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

hash=$(find src public package-lock.json next.config.ts postcss.config.mjs tsconfig.json -type f 2>/dev/null | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)
if [ ! -f "$dist/BUILD_ID" ] || [ "$(cat "$dist/fotoai-source-hash" 2>/dev/null)" != "$hash" ]; then
  echo "web: next build" >&2
  npm run build --silent
  echo "$hash" > "$dist/fotoai-source-hash"
fi
