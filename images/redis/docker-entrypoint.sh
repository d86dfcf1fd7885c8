#!/bin/bash
# Refuse to run without a password; otherwise exec redis-server as PID 1 with a generated config,
# so the password is in a 0600 file, not on the command line (`ps`, `docker top`).
set -Eeuo pipefail

if [ -z "${REDIS_PASSWORD:-}" ]; then
  echo "REDIS_PASSWORD is empty: refusing to start redis without a password" >&2
  exit 1
fi

if [ "${1:-}" != "redis-server" ]; then
  exec "$@"
fi

if [ "$(id -u)" = 0 ]; then
  chown redis:redis /data
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

conf=/run/redis-config/redis.conf
# redis.conf double-quoted strings take backslash escapes: escape \ and " in the password.
escaped=${REDIS_PASSWORD//\\/\\\\}
escaped=${escaped//\"/\\\"}
umask 077
cat >"$conf" <<CONF
bind 0.0.0.0
port 6379
protected-mode no
dir /data
appendonly yes
daemonize no
logfile ""
requirepass "$escaped"
CONF
unset REDIS_PASSWORD escaped
shift
exec redis-server "$conf" "$@"
