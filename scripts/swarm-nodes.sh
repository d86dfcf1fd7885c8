#!/usr/bin/env bash
# Three-node Swarm for `make test-swarm`: this engine as manager, two Docker-in-Docker workers
# (scripts/swarm-node), a registry from Debian's docker-registry package that every node reaches as
# 127.0.0.1:5000 (on the workers through socat). Run under scripts/with-swarm.sh (the engine lock).
#   scripts/swarm-nodes.sh up     start the registry and the workers, join them (idempotent)
#   scripts/swarm-nodes.sh down   remove the workers (leaving the swarm first) and stop the registry
# --privileged fails on these machines (no CAP_SYS_RESOURCE): every other capability is added by
# name, seccomp and apparmor unconfined, /run on tmpfs, /var/lib/docker on a volume (overlay2 there).
set -euo pipefail
NODES=${SWARM_WORKERS:-2}
NET=stackctl-swarm-nodes
IMAGE=stackctl-swarm-node:dev
REGISTRY_DIR=${REGISTRY_DIR:-/tmp/stackctl-registry}
REGISTRY_PORT=5000
LABEL=io.stackctl.swarm-node=1
here=$(cd "$(dirname "$0")" && pwd)

caps() {
  # Every capability of this process's bounding set that dockerd 20.10 knows by name (up to AUDIT_READ),
  # which here is all but SYS_RESOURCE.
  local bnd names=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ)
  bnd=$((16#$(awk '/^CapBnd/ {print $2}' /proc/self/status)))
  for i in "${!names[@]}"; do
    if (( (bnd >> i) & 1 )); then printf -- '--cap-add=%s ' "${names[$i]}"; fi
  done
}

registry_up() {
  if curl -fsS "http://127.0.0.1:${REGISTRY_PORT}/v2/" >/dev/null 2>&1; then return; fi
  mkdir -p "$REGISTRY_DIR"
  cat >"$REGISTRY_DIR/config.yml" <<CONF
version: 0.1
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/data
  delete:
    enabled: true
http:
  addr: 0.0.0.0:${REGISTRY_PORT}
CONF
  nohup docker-registry serve "$REGISTRY_DIR/config.yml" >"$REGISTRY_DIR/registry.log" 2>&1 &
  echo $! >"$REGISTRY_DIR/pid"
  for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:${REGISTRY_PORT}/v2/" >/dev/null 2>&1 && return; sleep 0.2; done
  echo "registry did not start: $(tail -3 "$REGISTRY_DIR/registry.log")" >&2; exit 1
}

# The workers' bridge network; prints its gateway (this host's address on it). The manager should
# advertise that address: VXLAN between the host's eth0 address and the workers timed out.
network() {
  docker network inspect "$NET" >/dev/null 2>&1 || docker network create --label "$LABEL" "$NET" >/dev/null
  docker network inspect "$NET" --format '{{(index .IPAM.Config 0).Gateway}}'
}

up() {
  command -v docker-registry >/dev/null || { echo "docker-registry is not installed: apt-get install docker-registry" >&2; exit 1; }
  docker image inspect "$IMAGE" >/dev/null 2>&1 || docker build --network host -t "$IMAGE" "$here/swarm-node"
  registry_up
  local gateway token manager
  gateway=$(network)
  manager=$(docker info --format '{{.Swarm.NodeAddr}}')
  token=$(docker swarm join-token -q worker)
  for n in $(seq 1 "$NODES"); do
    local name=stackctl-swarm-worker-$n
    if ! docker inspect "$name" >/dev/null 2>&1; then
      # shellcheck disable=SC2046
      docker run -d --name "$name" --hostname "$name" --label "$LABEL" --network "$NET" \
        $(caps) --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
        --tmpfs /run --tmpfs /tmp -v "$name-docker:/var/lib/docker" \
        -e REGISTRY_UPSTREAM="$gateway:${REGISTRY_PORT}" "$IMAGE" >/dev/null
    fi
    for _ in $(seq 1 60); do docker exec "$name" docker info >/dev/null 2>&1 && break; sleep 1; done
    if [ "$(docker exec "$name" docker info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
      docker exec "$name" docker swarm join --token "$token" "$manager:2377"
    fi
  done
  docker node ls
}

down() {
  for name in $(docker ps -a --filter "label=$LABEL" --format '{{.Names}}'); do
    timeout 20 docker exec "$name" docker swarm leave --force >/dev/null 2>&1 || true
    docker rm -f "$name" >/dev/null
    docker volume rm "$name-docker" >/dev/null 2>&1 || true
    docker node rm --force "$name" >/dev/null 2>&1 || true
    rmdir /sys/fs/cgroup/*/"$name" 2>/dev/null || true
  done
  docker network rm "$NET" >/dev/null 2>&1 || true
  if [ -f "$REGISTRY_DIR/pid" ]; then kill "$(cat "$REGISTRY_DIR/pid")" 2>/dev/null || true; rm -f "$REGISTRY_DIR/pid"; fi
}

case "${1:-}" in
  up) up ;;
  network) network ;;
  down) down ;;
  *) echo "usage: $0 up|down|network" >&2; exit 2 ;;
esac
