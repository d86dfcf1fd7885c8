#!/bin/sh
# REGISTRY_UPSTREAM=host:port of the manager's registry, seen from this node.
set -e
if [ -n "${REGISTRY_UPSTREAM:-}" ]; then
  socat TCP-LISTEN:5000,bind=127.0.0.1,fork,reuseaddr "TCP:${REGISTRY_UPSTREAM}" &
fi
exec dockerd --storage-driver=vfs --host=unix:///var/run/docker.sock
