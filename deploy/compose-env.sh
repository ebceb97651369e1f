#!/bin/sh
# compose-env.sh — print a .env for docker-compose.yml with fresh random
# secrets (keep it 0600: sh deploy/compose-env.sh > .env && chmod 600 .env).
set -eu
gen() { head -c 32 /dev/urandom | base64 | tr -d '\n/+='; }
for v in EPART_JWT_SECRET EPART_REDIS_PASSWORD EPART_REDIS_ADMIN_PASSWORD EPART_PG_PASSWORD \
         EPART_PG_ADMIN_PASSWORD; do
  printf '%s=%s\n' "$v" "$(gen)"
done
