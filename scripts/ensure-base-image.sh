#!/usr/bin/env bash
# Make sure debian:bookworm-slim exists in the local engine.
# Order: already present → pull from a registry → build from Debian's archive with debootstrap.
# The debootstrap path is what the official image does too (minbase variant, then import).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"

IMAGE=${BASE_IMAGE:-debian:bookworm-slim}
log() { printf 'ensure-base-image: %s\n' "$*" >&2; }

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE present"
  exit 0
fi

log "$IMAGE absent; trying a pull (20 s limit)"
if timeout 20 docker pull -q "$IMAGE" >/dev/null 2>&1; then
  log "pulled $IMAGE"
  exit 0
fi

log "no registry reachable: building $IMAGE from Debian's archive with debootstrap (about a minute)"
if ! command -v debootstrap >/dev/null 2>&1; then
  apt_get update -qq >/dev/null
  apt_get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

# Use the same mirror apt is configured with on this machine.
mirror=$(grep -hoE '^URIs: *\S+/debian$' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}')
if [ -z "$mirror" ]; then
  mirror=$(grep -hoE '^deb +\S+/debian +bookworm' /etc/apt/sources.list 2>/dev/null | head -1 | awk '{print $2}')
fi
[ -n "$mirror" ] || { log "cannot find a Debian mirror in apt's sources"; exit 1; }

rootfs=$(mktemp -d /tmp/stackctl-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/tmp/stackctl-debootstrap.log 2>&1 || {
  log "debootstrap failed; last lines:"; tail -n 20 /tmp/stackctl-debootstrap.log >&2; exit 1; }

# Slim it the way the official -slim image does: no docs, man pages or apt lists.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/var/cache/apt/*.bin
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
CFG
echo 'APT::Install-Recommends "false";' >"$rootfs/etc/apt/apt.conf.d/90-no-recommends"

tar -C "$rootfs" -c . | docker import \
  --change 'CMD ["bash"]' \
  --change 'ENV LANG=C.UTF-8' \
  - "$IMAGE" >/dev/null
log "imported $IMAGE ($(docker image inspect -f '{{.Size}}' "$IMAGE") bytes)"
