#!/usr/bin/env bash
# Runs a command while this engine may be a Swarm manager, under the engine-wide lock, and leaves the
# engine as it found it: when it was in no swarm before, `docker swarm leave --force` afterwards.
# Usage: scripts/with-swarm.sh COMMAND [ARGS...]   (the command's exit code is returned)
set -u
LOCK=${STACKCTL_ENGINE_LOCK:-/tmp/stackctl-engine.lock}
exec 9>"$LOCK"
flock 9
before=$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unknown)
"$@"
rc=$?
if [ "$before" = inactive ] && [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != inactive ]; then
  docker swarm leave --force >/dev/null && echo "with-swarm: left the swarm (the engine was in none before)" >&2
fi
exit $rc
