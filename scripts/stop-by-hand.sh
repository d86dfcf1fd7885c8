#!/usr/bin/env bash
# Stop and remove what scripts/start-by-hand.sh started, in reverse dependency order, and its network.
# Usage: scripts/stop-by-hand.sh [--volumes]   (--volumes: also delete the data volumes)
set -euo pipefail

PREFIX=pyairtable-byhand
ORDER=(frontend api-gateway saga-orchestrator automation-services llm-orchestrator mcp-server
       airtable-gateway platform-services redis postgres)

for service in "${ORDER[@]}"; do
  container="$PREFIX-$service"
  if docker inspect "$container" >/dev/null 2>&1; then
    docker stop "$container" >/dev/null
    docker rm -v "$container" >/dev/null
    echo "stop-by-hand: removed $container"
  fi
done
docker network rm "$PREFIX" >/dev/null 2>&1 && echo "stop-by-hand: removed network $PREFIX" || true
if [ "${1:-}" = "--volumes" ]; then
  for volume in postgres-data redis-data file-uploads; do
    docker volume rm "$PREFIX-$volume" >/dev/null 2>&1 && echo "stop-by-hand: removed volume $PREFIX-$volume" || true
  done
fi
