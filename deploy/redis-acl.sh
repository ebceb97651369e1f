#!/bin/sh
# redis-acl.sh — write the ACL file of epart's Redis (SPEC §11) to stdout.
#
#   redis-acl.sh <epart password file> <admin password file> [epart user name]
#
# The epart user (EPART_REDIS_USER, default "epart") may run only the commands
# of deploy/redis-commands.txt, on keys epart:* (and the empty key name, which
# the ingest script of api/support/ingest.c receives in KEYS for "no such key": it is
# never read nor written), and no Pub/Sub channel. The
# default user, for administration (redis-cli with REDISCLI_AUTH), keeps every
# command behind its own password. Passwords appear in the file only as their
# SHA-256 (the "#<hash>" form of Redis ACL), never in clear. Used by
# deploy/stack.sh (make run), the systemd units and docker-compose.yml.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
user=${3:-epart}

hash_of() {
  # a trailing newline of the file is not part of the password (as common/config.c)
  pw=$(cat "$1")
  [ -n "$pw" ] || { echo "redis-acl.sh: $1 is empty" >&2; exit 1; }
  printf '%s' "$pw" | sha256sum | cut -d' ' -f1
}

commands=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' -e 's/^/+/' \
           "$here/redis-commands.txt" | tr '\n' ' ')
printf 'user default on #%s ~* &* +@all\n' "$(hash_of "$2")"
printf 'user %s on #%s resetkeys ~epart:* ~ resetchannels -@all %s\n' \
  "$user" "$(hash_of "$1")" "$commands"
