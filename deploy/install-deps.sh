#!/usr/bin/env bash
# install-deps.sh — install the Debian packages epart needs to build, run and test,
# skipping those already present. Idempotent; needs root (or sudo) only when
# something is missing.
set -euo pipefail

packages=(
  build-essential pkg-config clang libclang-rt-14-dev
  libevent-dev libjansson-dev libpq-dev libhiredis-dev libjwt-dev libssl-dev
  libcurl4-openssl-dev libcmocka-dev uuid-dev tzdata
  postgresql postgresql-contrib redis-server redis-tools
  python3 python3-pytest python3-cryptography curl valgrind wrk hyperfine
  nodejs chromium chromium-l10n fonts-dejavu-core
  redis-sentinel patroni etcd-server etcd-client python3-psycopg2 nftables iproute2
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# npm: Debian's own package, unless the installed nodejs already carries it
# (NodeSource's builds do, and conflict with Debian's npm).
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "epart: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "epart: need root to install ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
# Package services must not start: epart runs its own PostgreSQL and Redis.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
fi
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
