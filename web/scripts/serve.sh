#!/bin/sh
# Serves the FotoAI web app for the stack launcher: prepares it (install/build only when
# needed), then runs scripts/server.mjs (`next start` plus the client-address rule) in the
# foreground on $PORT (default 3000) and $FOTOAI_WEB_HOST (default 127.0.0.1). FOTOAI_GATEWAY_URL must point at the gateway; it is read per request.
set -eu
cd "$(dirname "$0")/.."
: "${FOTOAI_GATEWAY_URL:?FOTOAI_GATEWAY_URL must be set to the gateway base URL}"
sh scripts/prepare.sh
export NEXT_TELEMETRY_DISABLED=1
# Our own server (scripts/server.mjs) so the browser cannot choose its X-Forwarded-For.
exec node scripts/server.mjs
