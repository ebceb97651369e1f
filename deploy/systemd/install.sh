#!/bin/sh
# install.sh — install epart on a production host run by systemd (as root, from
# a built checkout: make build). Idempotent: what exists is kept (the cluster,
# the secrets), what the checkout ships is copied again. See docs/exploitation.md.
#
#   deploy/systemd/install.sh [number of workers, default 2]
set -eu
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
workers=${1:-2}
LIB=/usr/local/lib/epart
SECRETS=/etc/epart/secrets
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

id epart >/dev/null 2>&1 || useradd --system --home-dir /var/lib/epart --shell /usr/sbin/nologin epart
install -d -m 0755 /etc/epart "$LIB" /usr/local/bin
install -d -m 0711 -o epart -g epart /var/lib/epart  # postgres traverses it to its pg/
install -d -m 0700 -o epart -g epart /var/lib/epart/redis
install -d -m 0700 -o postgres -g postgres /var/lib/epart/pg
install -d -m 0700 -o epart -g epart "$SECRETS"

install -m 0755 build/release/epart-api build/release/epart-worker build/release/epart-token /usr/local/bin/
install -m 0755 deploy/redis-acl.sh deploy/migrate.sh deploy/systemd/pg-setup.sh "$LIB/"
install -m 0644 deploy/redis-commands.txt deploy/redis.conf deploy/pieces-requises.json "$LIB/"
rm -rf "$LIB/sql" && cp -r sql "$LIB/sql"
install -m 0644 deploy/postgresql/postgresql.conf deploy/postgresql/pg_hba.conf /etc/epart/
[ -e /etc/epart/epart.env ] || install -m 0644 deploy/systemd/epart.env /etc/epart/epart.env
install -m 0644 deploy/systemd/*.service deploy/systemd/epart.target /etc/systemd/system/

# Secrets: generated once, owner only (the PostgreSQL administrator's is postgres's).
gen() {
  f="$SECRETS/$1"
  if [ ! -s "$f" ]; then
    (umask 077; head -c 32 /dev/urandom | base64 | tr -d '\n/+=' > "$f")
  fi
  chown "$2" "$f"
  chmod 0600 "$f"
}
gen redis_password epart
gen redis_admin_password epart
gen pg_password epart
gen jwt_secret epart
gen pg_admin_password postgres
# pg-setup.sh runs as root and reads the administrator's password too
chmod 0711 "$SECRETS"

if [ ! -s /var/lib/epart/pg/PG_VERSION ]; then
  runuser -u postgres -- "$PG_BIN/initdb" -D /var/lib/epart/pg -U postgres \
    --auth=scram-sha-256 --pwfile="$SECRETS/pg_admin_password" -E UTF8 --locale=C.UTF-8 >/dev/null
fi

# N workers: the target wants epart-worker@1 … @N
sed -i "s/^Wants=.*/Wants=epart-redis.service epart-postgresql.service epart-migrate.service epart-api.service$(
  i=1; while [ "$i" -le "$workers" ]; do printf ' epart-worker@%d.service' "$i"; i=$((i + 1)); done)/" \
  /etc/systemd/system/epart.target
systemctl daemon-reload
echo "installed; start with: systemctl enable --now epart.target"
