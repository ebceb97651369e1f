#!/bin/sh
# migrate.sh — apply each sql/NNN_*.sql not yet applied, in order, each in one
# transaction, recording it in schema_migrations.
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
