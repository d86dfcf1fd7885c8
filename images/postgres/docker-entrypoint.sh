#!/bin/bash
# First start: initdb into $PGDATA (a volume), set the superuser's password (scram-sha-256), create
# $POSTGRES_DB, run /docker-entrypoint-initdb.d/*.sql once. Every start: exec postgres as PID 1.
set -Eeuo pipefail

log() { printf 'entrypoint: %s\n' "$*" >&2; }
die() { printf 'entrypoint: FATAL: %s\n' "$*" >&2; exit 1; }

POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
INIT_MARKER="$PGDATA/.entrypoint-init-complete"

if [ -z "${POSTGRES_PASSWORD:-}" ]; then
  die "POSTGRES_PASSWORD is empty: refusing to start postgres without a password"
fi

if [ "${1:-}" != "postgres" ]; then
  exec "$@"   # e.g. `docker run … image bash`
fi

if [ "$(id -u)" = 0 ]; then
  # The volume may be new (root-owned) or a bind mount: hand it to postgres, then drop root.
  mkdir -p "$PGDATA" /run/postgresql
  chown postgres:postgres "$PGDATA" /run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

initialize() {
  log "initializing a new cluster in $PGDATA for user \"$POSTGRES_USER\", database \"$POSTGRES_DB\""
  local pwfile bootstrap_log socket_dir
  pwfile=$(mktemp)
  bootstrap_log=$(mktemp)
  socket_dir=$(mktemp -d)
  trap 'rm -f "$pwfile"' RETURN
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  # Local (socket) trust exists only for the bootstrap below; the final pg_hba.conf replaces it.
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 -D "$PGDATA" >"$bootstrap_log" 2>&1 \
    || { cat "$bootstrap_log" >&2; die "initdb failed"; }

  # A socket-only server in a private directory, its log kept aside so that "ready to accept
  # connections" appears once, from the real server.
  pg_ctl -D "$PGDATA" -w -l "$bootstrap_log" \
    -o "-c listen_addresses='' -c unix_socket_directories='$socket_dir'" start >/dev/null \
    || { cat "$bootstrap_log" >&2; die "bootstrap server did not start"; }
  local psql=(psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet -h "$socket_dir" -U "$POSTGRES_USER")

  if [ "$POSTGRES_DB" != "postgres" ]; then
    printf 'CREATE DATABASE :"db";\n' | "${psql[@]}" --dbname postgres -v db="$POSTGRES_DB"
  fi
  local script
  for script in /docker-entrypoint-initdb.d/*; do
    case "$script" in
      *.sql) log "running $script"; "${psql[@]}" --dbname "$POSTGRES_DB" -f "$script" ;;
      *'/*') ;;  # empty directory
      *) log "ignoring $script (only *.sql is run)" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  rm -f "$bootstrap_log"; rmdir "$socket_dir"

  cat >"$PGDATA/pg_hba.conf" <<'HBA'
# TYPE  DATABASE  USER  ADDRESS      METHOD
local   all       all                scram-sha-256
host    all       all   0.0.0.0/0    scram-sha-256
host    all       all   ::/0         scram-sha-256
HBA
  cat >>"$PGDATA/postgresql.conf" <<'CONF'

# set by docker-entrypoint.sh
listen_addresses = '*'
port = 5432
password_encryption = scram-sha-256
unix_socket_directories = '/run/postgresql'
CONF
  touch "$INIT_MARKER"
  log "initialization complete"
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initialize
elif [ ! -e "$INIT_MARKER" ]; then
  die "$PGDATA holds a cluster whose initialization did not finish (an earlier first start failed): remove the volume and start again"
else
  log "existing cluster in $PGDATA: skipping initialization"
fi

unset POSTGRES_PASSWORD
exec "$@"
