#!/usr/bin/env bash
# Debian's chromium for the suite's browser step (playwright-core drives it; no browser downloads).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "ensure-chromium: installing Debian's chromium" >&2
DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "ensure-chromium: $(/usr/bin/chromium --version 2>/dev/null)" >&2
