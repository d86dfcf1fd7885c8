#!/usr/bin/env bash
# A second, private dockerd for tests that stop and start the engine (engine restart under the
# daemon), so they never disturb the main engine or anyone else using it.
#
#   scripts/private-dockerd.sh start NAME   start it (idempotent); prints DOCKER_HOST=unix://…
#   scripts/private-dockerd.sh stop NAME    SIGTERM, wait until it exited (containers stay defined)
#   scripts/private-dockerd.sh kill NAME    SIGKILL (a crash); its containerd is left to the restart
#   scripts/private-dockerd.sh load NAME IMAGE…  copy images from the main engine into it
#   scripts/private-dockerd.sh destroy NAME stop it and remove its data, rules and files
#
# Isolation from the main engine: own --data-root, --exec-root, --pidfile and unix socket; its own
# default bridge (stk-<hash>, 10.213.0.0/24-ish) so docker0 is never touched — NOT --bridge=none:
# a dockerd started with the bridge disabled deletes the host's docker0 link (moby's
# removeDefaultBridgeInterface), which broke every other build and container on the main engine; user-defined networks come from
# 10.213.64.0/18 (the main engine uses 172.16/12); --iptables=false so it never rewrites the main
# engine's DOCKER chains. Because bridged traffic still passes the host's FORWARD chain (policy DROP,
# br_netfilter), one DOCKER-USER rule accepts traffic inside 10.213.0.0/16; destroy removes it.
# Host ports: each engine hands out ephemeral host ports (32768-60999) on its own, so two engines
# on one host collide — publish the private engine's ports explicitly, below 32768.
# Needs root and dockerd on PATH.
set -euo pipefail

cmd=${1:-}
name=${2:-}
[ -n "$cmd" ] && [ -n "$name" ] || { echo "usage: $0 start|stop|kill|load|destroy NAME [IMAGE…]" >&2; exit 2; }
[[ "$name" =~ ^[a-z0-9-]{1,24}$ ]] || { echo "$0: NAME must be 1-24 of [a-z0-9-]" >&2; exit 2; }

data=/var/lib/stackctl-test-docker/$name
exec_root=/run/stk-$name
sock=/run/stk-$name.sock
pidfile=/run/stk-$name.pid
log=/tmp/stackctl-private-dockerd-$name.log
subnet=10.213.0.0/16
host="unix://$sock"
# Its own default bridge: a Linux interface name (at most 15 characters) and a /24 of its own.
hash=$(printf '%s' "$name" | md5sum | cut -c1-8)
bridge="stk$hash"
bridge_ip="10.213.$(( 0x${hash:0:2} % 60 )).1/24"

log() { printf 'private-dockerd(%s): %s\n' "$name" "$*" >&2; }

pid_of() { [ -f "$pidfile" ] && cat "$pidfile" 2>/dev/null || true; }
alive() { local pid; pid=$(pid_of); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

ensure_rule() {
  command -v iptables >/dev/null 2>&1 || return 0
  iptables -N DOCKER-USER 2>/dev/null || true
  iptables -C DOCKER-USER -s "$subnet" -d "$subnet" -j ACCEPT 2>/dev/null || iptables -I DOCKER-USER -s "$subnet" -d "$subnet" -j ACCEPT
}

drop_rule() {
  command -v iptables >/dev/null 2>&1 || return 0
  while iptables -D DOCKER-USER -s "$subnet" -d "$subnet" -j ACCEPT 2>/dev/null; do :; done
}

wait_gone() {
  local pid=$1
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}

restore_docker0() {
  [ -n "${docker0_addr:-}" ] || return 0
  sleep 0.5
  ip link show docker0 >/dev/null 2>&1 && return 0
  log "docker0 vanished while this dockerd started: putting it back ($docker0_addr)"
  ip link add docker0 type bridge && ip addr add "$docker0_addr" dev docker0 && ip link set docker0 up
}

case "$cmd" in
  start)
    command -v dockerd >/dev/null 2>&1 || { log "dockerd is not installed"; exit 3; }
    [ "$(id -u)" = 0 ] || { log "needs root"; exit 3; }
    # Measured here: a private dockerd restarted after a SIGKILL deletes the host's docker0 while it
    # cleans up (even with a bridge of its own), which breaks the main engine's default network. So
    # docker0's address is noted first and the link put back if it went.
    docker0_addr=$(ip -o -4 addr show docker0 2>/dev/null | awk '{print $4}' | head -n1)
    if ! alive; then
      mkdir -p "$data" "$exec_root"
      ensure_rule
      if ! ip link show "$bridge" >/dev/null 2>&1; then
        ip link add "$bridge" type bridge && ip addr add "$bridge_ip" dev "$bridge" && ip link set "$bridge" up
      fi
      # setsid: it must outlive the test step that started it.
      setsid nohup dockerd \
        --data-root "$data" --exec-root "$exec_root" --pidfile "$pidfile" -H "$host" \
        --bridge="$bridge" --iptables=false --ip-masq=false \
        --default-address-pool base=10.213.64.0/18,size=24 \
        >>"$log" 2>&1 </dev/null &
    fi
    for _ in $(seq 1 240); do
      if DOCKER_HOST=$host docker version >/dev/null 2>&1; then restore_docker0; echo "DOCKER_HOST=$host"; exit 0; fi
      sleep 0.25
    done
    log "did not answer within 60 s; last lines of $log:"; tail -n 20 "$log" >&2; exit 1
    ;;
  stop|kill)
    pid=$(pid_of)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      if [ "$cmd" = kill ]; then kill -KILL "$pid"; else kill -TERM "$pid"; fi
      wait_gone "$pid" || { log "dockerd $pid did not exit within 30 s"; exit 1; }
      # A killed dockerd leaves its pid file; the next start must not mistake a reused pid for it.
      rm -f "$pidfile"
    fi
    ;;
  load)
    shift 2
    [ "$#" -gt 0 ] || exit 0
    missing=()
    for image in "$@"; do
      DOCKER_HOST=$host docker image inspect "$image" >/dev/null 2>&1 || missing+=("$image")
    done
    [ "${#missing[@]}" -eq 0 ] && exit 0
    docker save "${missing[@]}" | DOCKER_HOST=$host docker load -q >/dev/null
    ;;
  destroy)
    pid=$(pid_of)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      DOCKER_HOST=$host docker ps -aq | xargs -r env DOCKER_HOST="$host" docker rm -f >/dev/null 2>&1 || true
      kill -TERM "$pid"; wait_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
    fi
    # Its managed containerd and the shims of its containers (a killed dockerd leaves them) belong to
    # this exec root only: found by their exact paths, ended by pid.
    for p in $(pgrep -f "containerd --config $exec_root/" || true) $(pgrep -f "containerd-shim-runc-v2 .*-address $exec_root/" || true); do
      kill -TERM "$p" 2>/dev/null || true
    done
    sleep 0.5
    awk -v d="$data" -v e="$exec_root" '$2 == d || index($2, d "/") == 1 || index($2, e "/") == 1 {print $2}' /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$data" "$exec_root" "$sock" "$pidfile"
    ip link del "$bridge" 2>/dev/null || true
    drop_rule
    ;;
  *)
    echo "usage: $0 start|stop|kill|load|destroy NAME [IMAGE…]" >&2; exit 2
    ;;
esac
