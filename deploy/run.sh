#!/usr/bin/env bash
# run.sh — make run: start PostgreSQL, Redis, the API and $EPART_WORKERS workers
# under $EPART_STATE_DIR with the demonstration data, print the URL and tokens,
# and stop everything on Ctrl-C or SIGTERM.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
STACK="$EPART_ROOT/deploy/stack.sh"
BIN="${EPART_BIN:-$EPART_ROOT/build/release}"
pids=()

stop_all() {
  trap - INT TERM EXIT
  echo
  echo "epart: stopping"
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  bash "$STACK" pg-stop
  bash "$STACK" redis-stop
  echo "epart: stopped"
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

bash "$STACK" redis-start
bash "$STACK" pg-start
bash "$STACK" migrate
bash "$STACK" demo
EPART_JWT_SECRET=$(bash "$STACK" secret)
export EPART_JWT_SECRET
source "$EPART_ROOT/deploy/oidc-demo/demo.sh"
oidc_demo_start

"$BIN/epart-api" >>"$EPART_STATE_DIR/log/api.log" 2>&1 &
pids+=($!)
for i in $(seq 1 "$EPART_WORKERS"); do
  "$BIN/epart-worker" >>"$EPART_STATE_DIR/log/worker-$i.log" 2>&1 &
  pids+=($!)
done

url="http://127.0.0.1:$EPART_HTTP_PORT"
for _ in $(seq 1 100); do
  curl -fsS "$url/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

tok() { "$BIN/epart-token" "$@"; }
cat <<MSG

epart is running at $url   (logs in $EPART_STATE_DIR/log)

  partner (PASS de ville de La Rochelle, habilitated for AME first requests):
    $(tok --role partner --org 0b6f3c1e-3d0a-4c1e-9a51-1d2f6c7a8b01 --sub demo-pass --ttl 86400)
  instructor (caisse 171):
    $(tok --role instructor --caisse 171 --sub demo-instructeur --ttl 86400)
  admin:
    $(tok --role admin --sub demo-admin --ttl 86400)

  try: curl -H "Authorization: Bearer <partner token>" $url/v1/dossiers
  JWT secret (EPART_JWT_SECRET): $EPART_JWT_SECRET
$(oidc_demo_agents "$url" "$(tok --role admin --sub demo-oidc-setup --ttl 60)")
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}" || true
echo "epart: a process exited unexpectedly; see $EPART_STATE_DIR/log" >&2
exit 1
