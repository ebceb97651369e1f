#!/bin/sh
# migrate.sh — bring a database to this tree's schema:
#   1. each sql/NNN_*.sql not yet applied, in order, each in one transaction,
#      recorded in schema_migrations (the tables, their columns and indexes);
#   2. then every sql/functions/*.sql, in order, all in one transaction, every
#      time: the functions and triggers, each written once as CREATE OR
#      REPLACE, so that a database migrated from any earlier tree runs the same
#      functions as a new one (sql/functions/README.md).
#   migrate.sh <sql directory> <psql connection arguments…>
# $PSQL names the psql command (default psql); it is split on spaces so that it
# may be "runuser -u postgres -- /usr/lib/postgresql/15/bin/psql".
set -eu
PSQL=${PSQL:-psql}
export PGOPTIONS="${PGOPTIONS:-} --client-min-messages=warning"
dir=$1
shift
$PSQL -X -q -v ON_ERROR_STOP=1 "$@" -c "CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())" >/dev/null
for f in "$dir"/[0-9]*.sql; do
  name=$(basename "$f")
  done=$($PSQL -X -q -tA "$@" -c "SELECT 1 FROM schema_migrations WHERE name = '$name'")
  if [ -z "$done" ]; then
    { cat "$f"; echo; echo "INSERT INTO schema_migrations (name) VALUES ('$name');"; } |
      $PSQL -X -q -v ON_ERROR_STOP=1 -1 "$@" -f - >/dev/null
    echo "epart: applied $name" >&2
  fi
done
# Two migrations at once (two nodes starting) would make CREATE OR REPLACE of
# the same function fail with "tuple concurrently updated": the second waits.
n=0
for f in "$dir"/functions/*.sql; do
  [ -f "$f" ] && n=$((n + 1))
done
if [ "$n" -gt 0 ]; then
  { echo "SELECT pg_advisory_xact_lock(hashtext('epart: sql/functions'));";
    for f in "$dir"/functions/*.sql; do cat "$f"; echo; done; } |
    $PSQL -X -q -v ON_ERROR_STOP=1 -1 "$@" -f - >/dev/null
  echo "epart: applied sql/functions ($n files)" >&2
fi
