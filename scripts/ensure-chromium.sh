#!/usr/bin/env bash
# Debian's chromium for the suite's browser step (playwright-core drives it; no browser downloads).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "ensure-chromium: installing Debian's chromium" >&2
apt_get update -qq >/dev/null
apt_get install -y -qq --no-install-recommends chromium >/dev/null
echo "ensure-chromium: $(/usr/bin/chromium --version 2>/dev/null)" >&2
