# env.sh — defaults of SPEC §11, sourced by the scripts of deploy/ and tests/.
# Every variable may be set beforehand; two instances with different ports and
# state directories run side by side.
: "${EPART_HTTP_PORT:=8080}"
: "${EPART_STATE_DIR:=./var}"
: "${EPART_PG_PORT:=55432}"
: "${EPART_REDIS_PORT:=56379}"
: "${EPART_WORKERS:=1}"
: "${EPART_PG_HOST:=127.0.0.1}"
: "${EPART_REDIS_HOST:=127.0.0.1}"
: "${EPART_PG_DB:=epart}"
: "${EPART_PG_USER:=epart}"
: "${EPART_REDIS_USER:=epart}"
mkdir -p "$EPART_STATE_DIR"
EPART_STATE_DIR=$(cd "$EPART_STATE_DIR" && pwd)
export EPART_HTTP_PORT EPART_STATE_DIR EPART_PG_PORT EPART_REDIS_PORT EPART_WORKERS \
       EPART_PG_HOST EPART_REDIS_HOST EPART_PG_DB EPART_PG_USER EPART_REDIS_USER
EPART_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
