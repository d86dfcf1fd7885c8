#!/usr/bin/env bash
# Start the example stack with the plain docker CLI, in dependency order, waiting until each service
# is really ready (postgres: password login + SELECT 1; redis: AUTH + PING; HTTP: /ready with the
# API key → 200) before starting the next. What stackctl automates; useful before `stackctl up` exists.
# Needs .env (scripts/gen-env.sh) and the images (scripts/build-example-images.sh).
# Usage: scripts/start-by-hand.sh [--no-ports]   (--no-ports: publish nothing on the host)
# Stop with scripts/stop-by-hand.sh [--volumes].
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=pyairtable-byhand
NETWORK=pyairtable-byhand
READY_TIMEOUT_S=${READY_TIMEOUT_S:-60}
publish=1
[ "${1:-}" = "--no-ports" ] && publish=0

[ -r "$root/.env" ] || { echo "start-by-hand: $root/.env missing: run scripts/gen-env.sh first" >&2; exit 1; }
set -a
# shellcheck disable=SC1091
. "$root/.env"
set +a
: "${AIRTABLE_BASE:=appStackctlDemo}" "${LOG_LEVEL:=info}"

# Values reach containers as `-e NAME` (taken from this script's environment), never on argv.
export DATABASE_URL="postgresql://${POSTGRES_USER}:${POSTGRES_PASSWORD}@postgres:5432/${POSTGRES_DB}"
export REDIS_URL="redis://:${REDIS_PASSWORD}@redis:6379/0"
export AIRTABLE_GATEWAY_URL=http://airtable-gateway:8002 MCP_SERVER_URL=http://mcp-server:8001
export LLM_ORCHESTRATOR_URL=http://llm-orchestrator:8003 PLATFORM_SERVICES_URL=http://platform-services:8007
export AUTOMATION_SERVICES_URL=http://automation-services:8006 SAGA_ORCHESTRATOR_URL=http://saga-orchestrator:8008
export API_GATEWAY_URL=http://api-gateway:8000 UPLOAD_DIR=/data/uploads

log() { printf '%s start-by-hand: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# name | container port ("" = none) | host port variable | volume:path | env names
SERVICES=(
  "postgres|||postgres-data:/var/lib/postgresql/data|POSTGRES_USER POSTGRES_PASSWORD POSTGRES_DB"
  "redis|||redis-data:/data|REDIS_PASSWORD"
  "platform-services|8007|PLATFORM_SERVICES_PORT||DATABASE_URL REDIS_URL API_KEY JWT_SECRET LOG_LEVEL"
  "airtable-gateway|8002|AIRTABLE_GATEWAY_PORT||DATABASE_URL API_KEY AIRTABLE_BASE LOG_LEVEL"
  "mcp-server|8001|MCP_SERVER_PORT||AIRTABLE_GATEWAY_URL API_KEY AIRTABLE_BASE LOG_LEVEL"
  "llm-orchestrator|8003|LLM_ORCHESTRATOR_PORT||MCP_SERVER_URL REDIS_URL API_KEY AIRTABLE_BASE LOG_LEVEL"
  "automation-services|8006|AUTOMATION_SERVICES_PORT|file-uploads:/data/uploads|DATABASE_URL MCP_SERVER_URL API_KEY UPLOAD_DIR LOG_LEVEL"
  "saga-orchestrator|8008|SAGA_ORCHESTRATOR_PORT||DATABASE_URL PLATFORM_SERVICES_URL AIRTABLE_GATEWAY_URL AIRTABLE_BASE API_KEY LOG_LEVEL"
  "api-gateway|8000|API_GATEWAY_PORT||AIRTABLE_GATEWAY_URL MCP_SERVER_URL LLM_ORCHESTRATOR_URL PLATFORM_SERVICES_URL AUTOMATION_SERVICES_URL SAGA_ORCHESTRATOR_URL API_KEY JWT_SECRET LOG_LEVEL"
  "frontend|3000|FRONTEND_PORT||API_GATEWAY_URL API_KEY AIRTABLE_BASE LOG_LEVEL"
)

# One probe per kind, run inside the container so it needs no host port. Credentials travel as
# environment variables of `docker exec`, not as arguments.
probe() {
  local service=$1 container=$2
  case "$service" in
    postgres)
      docker exec -e PGPASSWORD="$POSTGRES_PASSWORD" "$container" \
        psql -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -tAc 'SELECT 1' 2>/dev/null | grep -qx 1 ;;
    redis)
      docker exec -e REDISCLI_AUTH="$REDIS_PASSWORD" "$container" redis-cli --no-auth-warning ping 2>/dev/null \
        | grep -qx PONG ;;
    *)
      docker exec "$container" python3 -c '
import os, sys, urllib.request
req = urllib.request.Request("http://127.0.0.1:%s/ready" % sys.argv[1], headers={"X-API-Key": os.environ["API_KEY"]})
try:
    sys.exit(0 if urllib.request.urlopen(req, timeout=5).status == 200 else 1)
except Exception:
    sys.exit(1)' "$3" 2>/dev/null ;;
  esac
}

docker network inspect "$NETWORK" >/dev/null 2>&1 || docker network create "$NETWORK" >/dev/null

for entry in "${SERVICES[@]}"; do
  IFS='|' read -r service port port_var volume env_names <<<"$entry"
  container="$PREFIX-$service"
  if [ "$(docker inspect -f '{{.State.Running}}' "$container" 2>/dev/null)" = true ]; then
    log "$service: already running"
  else
    docker rm -f "$container" >/dev/null 2>&1 || true
    args=(--detach --name "$container" --network "$NETWORK" --network-alias "$service"
          --label "com.stackctl.example=byhand")
    for name in $env_names; do args+=(-e "$name"); done
    if [ -n "$volume" ]; then args+=(-v "$PREFIX-$volume"); fi
    if [ -n "$port" ] && [ "$publish" = 1 ]; then
      args+=(-p "127.0.0.1:${!port_var:-$port}:$port")
    fi
    log "$service: starting"
    docker run "${args[@]}" "stackctl-example/$service:dev" >/dev/null
  fi

  started=$(date +%s)
  until probe "$service" "$container" "$port"; do
    if [ "$(docker inspect -f '{{.State.Running}}' "$container")" != true ]; then
      log "$service: exited with status $(docker inspect -f '{{.State.ExitCode}}' "$container"); last log lines:"
      docker logs --tail 20 "$container" 2>&1 | sed 's/^/    /' >&2
      exit 1
    fi
    if [ $(( $(date +%s) - started )) -ge "$READY_TIMEOUT_S" ]; then
      log "$service: not ready after ${READY_TIMEOUT_S}s; last log lines:"
      docker logs --tail 20 "$container" 2>&1 | sed 's/^/    /' >&2
      exit 1
    fi
    sleep 0.5
  done
  log "$service: ready after $(( $(date +%s) - started ))s"
done
log "all ${#SERVICES[@]} services ready"
