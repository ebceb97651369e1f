#!/bin/sh
# compose-pg-init.sh — first start of the PostgreSQL of docker-compose.yml: the
# role epart (SCRAM password EPART_PG_PASSWORD, not a superuser) and its
# database. The SQL goes through standard input, never a command line.
set -eu
pw=$(printf '%s' "$EPART_PG_PASSWORD" | sed "s/'/''/g")
printf "SET log_statement = 'none';\nCREATE ROLE epart LOGIN PASSWORD '%s';\nCREATE DATABASE epart OWNER epart;\n" "$pw" |
  psql -v ON_ERROR_STOP=1 -U postgres -d postgres -f - >/dev/null
