#!/bin/sh
# Make sure Debian's chromium is installed for the Playwright suite (playwright-core never
# downloads browsers here). Idempotent: returns at once when /usr/bin/chromium exists.
set -eu
CHROMIUM="${FOTOAI_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "ensure-chromium: $CHROMIUM is missing and this user cannot install it; run as root: apt-get install -y chromium" >&2
    exit 1
  fi
else
  SUDO=""
fi
echo "ensure-chromium: installing Debian's chromium package" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
[ -x "$CHROMIUM" ] || { echo "ensure-chromium: install finished but $CHROMIUM is missing" >&2; exit 1; }
