#!/bin/sh
# pg-setup.sh — run by epart-migrate.service (as root) once PostgreSQL answers:
# the role epart with the password of /etc/epart/secrets/pg_password (set again
# at every start, so that a new password file takes effect), its database,
# then the migrations of /usr/local/lib/epart/sql as epart. Passwords go
# through the environment and standard input, never a command line.
set -eu
SECRETS=/etc/epart/secrets
SOCK=/run/epart-postgresql
LIB=/usr/local/lib/epart
: "${EPART_PG_PORT:=5432}" "${EPART_PG_USER:=epart}" "${EPART_PG_DB:=epart}"
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
i=0
until "$PG_BIN/pg_isready" -q -h "$SOCK" -p "$EPART_PG_PORT"; do
  i=$((i + 1)); [ "$i" -lt 120 ] || { echo "pg-setup: PostgreSQL does not answer" >&2; exit 1; }
  sleep 0.5
done
admin() {
  PGPASSWORD=$(cat "$SECRETS/pg_admin_password") runuser -u postgres -- \
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$EPART_PG_PORT" -U postgres -d postgres "$@"
}
admin -tA -c "SELECT 1 FROM pg_roles WHERE rolname = '$EPART_PG_USER'" | grep -q 1 ||
  admin -c "CREATE ROLE $EPART_PG_USER LOGIN"
pw=$(sed "s/'/''/g" "$SECRETS/pg_password")
printf "SET log_statement = 'none';\nALTER ROLE %s LOGIN PASSWORD '%s';\n" "$EPART_PG_USER" "$pw" |
  admin -f - >/dev/null
admin -tA -c "SELECT 1 FROM pg_database WHERE datname = '$EPART_PG_DB'" | grep -q 1 ||
  admin -c "CREATE DATABASE $EPART_PG_DB OWNER $EPART_PG_USER"
PGPASSWORD=$(cat "$SECRETS/pg_password") sh "$LIB/migrate.sh" "$LIB/sql" \
  -h 127.0.0.1 -p "$EPART_PG_PORT" -U "$EPART_PG_USER" -d "$EPART_PG_DB"
