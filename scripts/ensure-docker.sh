#!/usr/bin/env bash
# Make sure a Docker engine answers. Idempotent: does nothing when `docker info` already works.
# On a machine with only the client, installs Debian's docker.io and starts dockerd in the background.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"

log() { printf 'ensure-docker: %s\n' "$*" >&2; }

if docker info >/dev/null 2>&1; then
  log "engine already answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo unknown))"
  exit 0
fi

need_apt_update=1
apt_install() {
  if [ "$need_apt_update" = 1 ]; then
    log "apt-get update"
    apt_get update -qq >/dev/null
    need_apt_update=0
  fi
  log "installing $*"
  apt_get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! command -v dockerd >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { log "dockerd is missing and this is not root: install docker.io yourself"; exit 1; }
  # docker.io brings dockerd, containerd and runc; iptables for the bridge network.
  apt_install docker.io iptables ca-certificates
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  log_file=/var/log/stackctl-dockerd.log
  log "starting dockerd in the background (log: $log_file)"
  # setsid: dockerd must outlive the make/CI step that started it.
  setsid nohup dockerd >"$log_file" 2>&1 </dev/null &
fi

for i in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then
    log "engine ready after ${i}x0.5s ($(docker version --format '{{.Server.Version}}'))"
    exit 0
  fi
  sleep 0.5
done
log "dockerd did not answer within 60 s; last lines of its log:"
tail -n 20 /var/log/stackctl-dockerd.log >&2 || true
exit 1
