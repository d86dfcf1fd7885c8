#!/usr/bin/env bash
# `make test-swarm`: the example stack on a three-node Swarm (this engine as manager + two
# Docker-in-Docker workers, scripts/swarm-nodes.sh), images pushed to the loopback registry and pulled
# by every node, all ten services ready and the suite green; then everything is removed and the engine
# is left as it was found (run through scripts/with-swarm.sh: the engine lock, swarm leave).
# Host ports are away from the running example stack's fixed ones.
set -uo pipefail
cd "$(dirname "$0")/.."
export PROJECT=${PROJECT:-swarm3}
export API_GATEWAY_PORT=${API_GATEWAY_PORT:-23000} MCP_SERVER_PORT=${MCP_SERVER_PORT:-23001} AIRTABLE_GATEWAY_PORT=${AIRTABLE_GATEWAY_PORT:-23002} \
  LLM_ORCHESTRATOR_PORT=${LLM_ORCHESTRATOR_PORT:-23003} AUTOMATION_SERVICES_PORT=${AUTOMATION_SERVICES_PORT:-23006} \
  PLATFORM_SERVICES_PORT=${PLATFORM_SERVICES_PORT:-23007} SAGA_ORCHESTRATOR_PORT=${SAGA_ORCHESTRATOR_PORT:-23008} FRONTEND_PORT=${FRONTEND_PORT:-23009}
[ -f .env ] || bash scripts/gen-env.sh
run() {
  local advertise rc
  if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" = inactive ]; then
    advertise=$(bash scripts/swarm-nodes.sh network)
    docker swarm init ${advertise:+--advertise-addr "$advertise"} >/dev/null && echo "test-swarm: docker swarm init${advertise:+ --advertise-addr $advertise}"
  fi
  bash scripts/swarm-nodes.sh up || return 1
  node bin/stackctl.js up --target swarm -p "$PROJECT" --registry 127.0.0.1:5000/stackctl --test
  rc=$?
  node bin/stackctl.js ps --target swarm -p "$PROJECT"
  node bin/stackctl.js down --target swarm -v -p "$PROJECT"
  bash scripts/swarm-nodes.sh down
  return $rc
}
export -f run
exec bash scripts/with-swarm.sh bash -c run
