#!/usr/bin/env bash
# Make sure Debian's `docker-compose` answers. Idempotent.
# Debian bookworm ships docker-compose 1.29.2 (the Python "v1" implementation, package `docker-compose`);
# it reads the compose specification (no `version:` needed), supports `depends_on: condition:
# service_healthy` and talks to any engine with API >= 1.25, so it works with bookworm's dockerd 20.10.
# It has no `up --wait`: callers poll container health themselves (see bench/compose-up.mjs).
set -euo pipefail

log() { printf 'ensure-docker-compose: %s\n' "$*" >&2; }

if command -v docker-compose >/dev/null 2>&1 && docker-compose version --short >/dev/null 2>&1; then
  log "docker-compose already installed ($(docker-compose version --short 2>/dev/null))"
  exit 0
fi

[ "$(id -u)" = 0 ] || { log "docker-compose is missing and this is not root: run 'apt-get install docker-compose'"; exit 1; }
log "apt-get update"
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
log "installing docker-compose (Debian package)"
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends docker-compose >/dev/null
log "installed docker-compose $(docker-compose version --short)"
