#!/usr/bin/env bash
# stack.sh — start and stop the PostgreSQL and Redis of one epart instance under
# $EPART_STATE_DIR, apply the migrations and load the demonstration data.
#
#   stack.sh redis-start | redis-stop | pg-start | pg-stop | migrate | demo | secret
#            | secrets
#
# Both stores require authentication (SPEC §11). The passwords are
# EPART_REDIS_PASSWORD and EPART_PG_PASSWORD when given, else generated on first
# use into $EPART_STATE_DIR/secrets/ (directory 0700, files 0600), where the
# processes read them (common/config.c); the administrators' passwords (Redis
# default user, PostgreSQL postgres role) are generated there too. No password is
# ever printed, logged or put on a command line.
#
# PostgreSQL refuses to run as root: when run as root, its directories belong to
# the "postgres" system user and its commands run as that user.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

RUNDIR="$EPART_STATE_DIR/run"
SECRETS="$EPART_STATE_DIR/secrets"
mkdir -p "$RUNDIR" "$EPART_STATE_DIR/redis" "$EPART_STATE_DIR/log"

# The path of secrets/<name>, generated (a random 43-character password) when
# missing.
secret_file() {
  local f="$SECRETS/$1"
  (umask 077; mkdir -p "$SECRETS")
  chmod 700 "$SECRETS"
  if [ ! -s "$f" ]; then
    (umask 077; head -c 32 /dev/urandom | base64 | tr -d '\n/+=' > "$f.tmp" && mv "$f.tmp" "$f")
  fi
  chmod 600 "$f"
  printf '%s' "$f"
}

# A password: the variable $2 when set, else secrets/<$1>.
password() {
  local given=${!2:-}
  if [ -n "$given" ]; then printf '%s' "$given"; else cat "$(secret_file "$1")"; fi
}
redis_password() { password redis_password EPART_REDIS_PASSWORD; }
pg_password()    { password pg_password EPART_PG_PASSWORD; }
redis_admin()    { password redis_admin_password EPART_REDIS_ADMIN_PASSWORD; }
pg_admin()       { password pg_admin_password EPART_PG_ADMIN_PASSWORD; }

# redis-cli as the administrator (the password goes through the environment).
rcli() {
  REDISCLI_AUTH="$(redis_admin)" redis-cli --no-auth-warning -h "$EPART_REDIS_HOST" \
    -p "$EPART_REDIS_PORT" "$@"
}

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
  PGPASSWORD="$(pg_password)" as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGSOCK" \
    -p "$EPART_PG_PORT" -U "$EPART_PG_USER" -d "$EPART_PG_DB" "$@"
}

psql_admin() {
  PGPASSWORD="$(pg_admin)" as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGSOCK" \
    -p "$EPART_PG_PORT" -U postgres -d postgres "$@"
}

REDIS_ACL="$EPART_STATE_DIR/redis/users.acl"

# (Re)write the ACL file from the current passwords and deploy/redis-commands.txt.
redis_acl() {
  (umask 077
   sh "$EPART_ROOT/deploy/redis-acl.sh" <(redis_password) <(redis_admin) "$EPART_REDIS_USER" \
     > "$REDIS_ACL.tmp")
  mv "$REDIS_ACL.tmp" "$REDIS_ACL"
}

redis_up() { rcli ping 2>/dev/null | grep -q PONG; }

# The redis-server command line of this instance (daemonize no: the caller
# decides; deploy/run.sh supervises it in the foreground).
redis_cmd() {
  redis_acl
  printf '%s\0' redis-server "$EPART_ROOT/deploy/redis.conf" --port "$EPART_REDIS_PORT" \
    --dir "$EPART_STATE_DIR/redis" --pidfile "$RUNDIR/redis.pid" \
    --logfile "$EPART_STATE_DIR/log/redis.log" --aclfile "$REDIS_ACL"
}

redis_wait() {
  for _ in $(seq 1 100); do
    # PONG only once the append-only file is loaded (LOADING errors before)
    redis_up && return 0
    sleep 0.1
  done
  echo "epart: redis did not start (see $EPART_STATE_DIR/log/redis.log)" >&2
  return 1
}

redis_start() {
  if redis_up; then
    redis_acl
    rcli acl load >/dev/null
    return 0
  fi
  local cmd=()
  while IFS= read -r -d '' a; do cmd+=("$a"); done < <(redis_cmd)
  "${cmd[@]}" --daemonize yes
  redis_wait
}

redis_stop() {
  rcli shutdown >/dev/null 2>&1 || true
  # A Redis that did not take the SHUTDOWN (another password, say): its pid file,
  # if that pid is still a redis-server (a pid file left by a SIGKILL may name
  # another process by now).
  local pid
  pid=$(cat "$RUNDIR/redis.pid" 2>/dev/null) || return 0
  for _ in $(seq 1 50); do
    grep -q '^redis-server' "/proc/$pid/cmdline" 2>/dev/null || return 0
    grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null && return 0
    sleep 0.1
  done
  kill -TERM "$pid" 2>/dev/null || true
}

# The cluster's directories and, on first use, initdb (the server not started).
pg_init() {
  touch "$PGLOG"   # written by pg_ctl as postgres and by run.sh as the caller
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$PGLOG"
    if [ "$PGROOT" = "$EPART_STATE_DIR" ]; then
      chown postgres "$EPART_STATE_DIR" "$RUNDIR" "$EPART_STATE_DIR/log"
    fi
    chmod 755 "$EPART_STATE_DIR"
  fi
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    [ "$(id -u)" -eq 0 ] && chown postgres "$PGDATA"
    # initdb reads the administrator's password from a file postgres can read,
    # removed at once
    local pwfile
    pwfile=$(mktemp "$PGROOT/run/.pw.XXXXXX")
    pg_admin > "$pwfile"
    [ "$(id -u)" -eq 0 ] && chown postgres "$pwfile"
    as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=scram-sha-256 --pwfile="$pwfile" \
      -E UTF8 --locale=C.UTF-8 >/dev/null || { rm -f "$pwfile"; return 1; }
    rm -f "$pwfile"
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
}

# The postgres command line of this instance, in the foreground (deploy/run.sh
# supervises it), NUL-separated.
pg_cmd() {
  local run=()
  [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
  printf '%s\0' "${run[@]}" "$PG_BIN/postgres" -D "$PGDATA" -p "$EPART_PG_PORT"
}

pg_ready() {
  "$PG_BIN/pg_isready" -q -h "$PGSOCK" -p "$EPART_PG_PORT" -t 1 2>/dev/null
}

# Start the cluster (pg_ctl) unless it runs already, then make sure of its
# authentication (pg_hba.conf, passwords) and of the epart role and database.
pg_start() {
  pg_init
  local legacy=0
  # A state directory made before authentication (pg_hba.conf with trust): its
  # administrator gets a password before trust is removed.
  grep -qE '^[^#]*[[:space:]]trust([[:space:]]|$)' "$PGDATA/pg_hba.conf" && legacy=1
  [ "$legacy" -eq 1 ] || pg_hba
  if ! as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGLOG" -w -t 60 \
      -o "-p $EPART_PG_PORT" start >/dev/null
  else
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" reload >/dev/null
  fi
  if [ "$legacy" -eq 1 ]; then
    pg_set_password postgres "$(pg_admin)"
    pg_hba
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" reload >/dev/null
    sleep 0.5
  fi
  pg_roles
}

# The pg_hba.conf of epart (deploy/postgresql/pg_hba.conf, also the systemd
# units'): SCRAM for everyone, on the local socket as over TCP.
pg_hba() {
  cp "$EPART_ROOT/deploy/postgresql/pg_hba.conf" "$PGDATA/pg_hba.conf"
  [ "$(id -u)" -eq 0 ] && chown postgres "$PGDATA/pg_hba.conf"
  chmod 600 "$PGDATA/pg_hba.conf"
}

# ALTER ROLE <role> PASSWORD, the SQL fed on standard input (never a command
# line), the value quoted as an SQL literal; the server stores its SCRAM hash.
pg_set_password() {
  local q=${2//\'/\'\'}
  printf "SET log_statement = 'none';\nALTER ROLE %s LOGIN PASSWORD '%s';\n" "$1" "$q" |
    psql_admin -f - >/dev/null
}

# The epart role (its password set on every start: a password given by
# EPART_PG_PASSWORD wins) and its database.
pg_roles() {
  psql_admin -tA -c "SELECT 1 FROM pg_roles WHERE rolname = '$EPART_PG_USER'" | grep -q 1 ||
    psql_admin -c "CREATE ROLE $EPART_PG_USER LOGIN"
  pg_set_password "$EPART_PG_USER" "$(pg_password)"
  psql_admin -tA -c "SELECT 1 FROM pg_database WHERE datname = '$EPART_PG_DB'" | grep -q 1 ||
    psql_admin -c "CREATE DATABASE $EPART_PG_DB OWNER $EPART_PG_USER"
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
  PGPASSWORD="$(pg_password)" PSQL="$run $PG_BIN/psql" sh "$EPART_ROOT/deploy/migrate.sh" "$EPART_ROOT/sql" \
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

# Generate whatever password is missing (make run calls it first, so that every
# process finds its secrets).
secrets() {
  redis_password >/dev/null
  redis_admin >/dev/null
  pg_password >/dev/null
  pg_admin >/dev/null
}

case "${1:-}" in
  redis-start) redis_start ;;
  redis-stop)  redis_stop ;;
  pg-start)    pg_start ;;
  pg-stop)     pg_stop ;;
  migrate)     migrate ;;
  demo)        demo ;;
  secret)      secret ;;
  secrets)     secrets ;;
  redis-cmd)   redis_cmd ;;
  pg-init)     pg_init ;;
  pg-cmd)      pg_cmd ;;
  pg-ready)    pg_ready ;;
  pg-log)      printf '%s' "$PGLOG" ;;
  redis-ready) redis_up ;;
  *) echo "usage: $0 redis-start|redis-stop|pg-start|pg-stop|migrate|demo|secret|secrets" >&2
     exit 2 ;;
esac
