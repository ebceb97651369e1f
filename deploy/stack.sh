#!/usr/bin/env bash
# stack.sh — start and stop the PostgreSQL and Redis of one epart instance under
# $EPART_STATE_DIR, apply the migrations and load the demonstration data.
#
#   stack.sh redis-start | redis-stop | pg-start | pg-stop | migrate | demo | secret
#
# PostgreSQL refuses to run as root: when run as root, its directories belong to
# the "postgres" system user and its commands run as that user.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

RUNDIR="$EPART_STATE_DIR/run"
mkdir -p "$RUNDIR" "$EPART_STATE_DIR/redis" "$EPART_STATE_DIR/log"

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# PostgreSQL's files live in the state directory, unless the postgres user
# cannot reach it (a checkout under /root, say): then in a directory of their
# own under /var/lib/epart, one per state directory.
PGROOT="$EPART_STATE_DIR"
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$EPART_STATE_DIR" 2>/dev/null; then
  PGROOT="/var/lib/epart/$(printf '%s' "$EPART_STATE_DIR" | md5sum | cut -c1-16)"
  mkdir -p "$PGROOT/run" "$PGROOT/log"
  chown -R postgres "$PGROOT"
  echo "$PGROOT" > "$EPART_STATE_DIR/pg.location"
fi
PGDATA="$PGROOT/pg"
PGSOCK="$PGROOT/run"
PGLOG="$PGROOT/log/postgresql.log"

psql_epart() {
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGSOCK" -p "$EPART_PG_PORT" \
    -U "$EPART_PG_USER" -d "$EPART_PG_DB" "$@"
}

redis_start() {
  if redis-cli -h "$EPART_REDIS_HOST" -p "$EPART_REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
    return 0
  fi
  redis-server "$EPART_ROOT/deploy/redis.conf" --port "$EPART_REDIS_PORT" \
    --dir "$EPART_STATE_DIR/redis" --pidfile "$RUNDIR/redis.pid" \
    --logfile "$EPART_STATE_DIR/log/redis.log" --daemonize yes
  for _ in $(seq 1 100); do
    # PONG only once the append-only file is loaded (LOADING errors before)
    redis-cli -p "$EPART_REDIS_PORT" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  echo "epart: redis did not start (see $EPART_STATE_DIR/log/redis.log)" >&2
  return 1
}

redis_stop() {
  redis-cli -p "$EPART_REDIS_PORT" shutdown >/dev/null 2>&1 || true
}

pg_start() {
  if [ "$(id -u)" -eq 0 ]; then
    if [ "$PGROOT" = "$EPART_STATE_DIR" ]; then
      chown postgres "$EPART_STATE_DIR" "$RUNDIR" "$EPART_STATE_DIR/log"
    fi
    chmod 755 "$EPART_STATE_DIR"
  fi
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    [ "$(id -u)" -eq 0 ] && chown postgres "$PGDATA"
    as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGSOCK'
max_connections = 200
shared_buffers = 256MB
max_wal_size = 2GB
timezone = 'UTC'
log_min_messages = warning
CONF
  fi
  if ! as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGLOG" -w -t 60 \
      -o "-p $EPART_PG_PORT" start >/dev/null
  fi
  as_pg "$PG_BIN/psql" -X -q -h "$PGSOCK" -p "$EPART_PG_PORT" -U postgres -d postgres -tA \
    -c "SELECT 1 FROM pg_roles WHERE rolname = '$EPART_PG_USER'" | grep -q 1 ||
    as_pg "$PG_BIN/psql" -X -q -h "$PGSOCK" -p "$EPART_PG_PORT" -U postgres -d postgres \
      -c "CREATE ROLE $EPART_PG_USER LOGIN"
  as_pg "$PG_BIN/psql" -X -q -h "$PGSOCK" -p "$EPART_PG_PORT" -U postgres -d postgres -tA \
    -c "SELECT 1 FROM pg_database WHERE datname = '$EPART_PG_DB'" | grep -q 1 ||
    as_pg "$PG_BIN/psql" -X -q -h "$PGSOCK" -p "$EPART_PG_PORT" -U postgres -d postgres \
      -c "CREATE DATABASE $EPART_PG_DB OWNER $EPART_PG_USER"
}

pg_stop() {
  [ -s "$PGDATA/PG_VERSION" ] || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
}

# Apply each sql/NNN_*.sql not yet applied (deploy/migrate.sh). The files are
# read by this shell and fed to psql, which runs as the postgres user.
migrate() {
  local run=""
  [ "$(id -u)" -eq 0 ] && run="runuser -u postgres --"
  PSQL="$run $PG_BIN/psql" sh "$EPART_ROOT/deploy/migrate.sh" "$EPART_ROOT/sql" \
    -h "$PGSOCK" -p "$EPART_PG_PORT" -U "$EPART_PG_USER" -d "$EPART_PG_DB"
}

demo() {
  psql_epart -f - < "$EPART_ROOT/deploy/demo.sql" >/dev/null
}

# The JWT secret: EPART_JWT_SECRET, else the one generated for this state
# directory on its first run (kept so that printed tokens stay valid).
secret() {
  if [ -n "${EPART_JWT_SECRET:-}" ]; then
    printf '%s' "$EPART_JWT_SECRET"
    return
  fi
  local f="$EPART_STATE_DIR/jwt_secret"
  if [ ! -s "$f" ]; then
    (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n/+=' > "$f")
  fi
  cat "$f"
}

case "${1:-}" in
  redis-start) redis_start ;;
  redis-stop)  redis_stop ;;
  pg-start)    pg_start ;;
  pg-stop)     pg_stop ;;
  migrate)     migrate ;;
  demo)        demo ;;
  secret)      secret ;;
  *) echo "usage: $0 redis-start|redis-stop|pg-start|pg-stop|migrate|demo|secret" >&2; exit 2 ;;
esac
