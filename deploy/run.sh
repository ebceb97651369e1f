#!/usr/bin/env bash
# run.sh — make run: start Redis, PostgreSQL, the API and $EPART_WORKERS workers
# under $EPART_STATE_DIR with the demonstration data, print the URL and tokens,
# supervise them, and stop everything on Ctrl-C or SIGTERM (SPEC §11).
#
# Supervision: every process is a child of this script, in the foreground. One
# that dies is started again at once from its own command line, then, if it
# keeps dying, after 1, 2, 4… seconds (at most EPART_RESTART_MAX_DELAY, 30);
# the delay starts from zero again once it has stayed up EPART_RESTART_STABLE
# seconds (30). Each exit and restart is logged here and in log/supervisor.log;
# the other processes keep serving meanwhile.
#
# Stop: SIGINT or SIGTERM, however many times and to whomever of the process
# group they are sent (systemd, docker stop and GNU make each send their own),
# only set a flag; the stop then runs to its end: the API and the workers first
# (they flush what they hold, the audit journal among it, into the stores), then
# PostgreSQL and Redis. The stores and the commands that stop them run in
# sessions of their own, so that a signal sent to this process group reaches
# neither before the API and the workers are done.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
STACK="$EPART_ROOT/deploy/stack.sh"
BIN="${EPART_BIN:-$EPART_ROOT/build/release}"
MAX_DELAY="${EPART_RESTART_MAX_DELAY:-30}"
STABLE="${EPART_RESTART_STABLE:-30}"
SUPLOG="$EPART_STATE_DIR/log/supervisor.log"
mkdir -p "$EPART_STATE_DIR/log"

declare -A CMD PID STARTED DELAY DUE RESTARTS
order=()           # names, in start order
EXTRA=()           # pids stopped with the API but not supervised
stopping=0
stopped=0

# What the stop relies on uses builtins only: an external command (date, cut,
# sleep) is in our process group and may itself be killed by the signal.
say() {
  local line
  line="$(TZ=UTC printf '%(%Y-%m-%dT%H:%M:%SZ)T' -1) epart: $*"
  echo "$line" >&2
  echo "$line" >> "$SUPLOG"
}

# A pause without a child process: a read that times out on a pipe nobody
# writes to.
exec {PAUSE_FD}<> <(:)
pause() { read -r -t "$1" -u "$PAUSE_FD" _ || true; }

# A process of ours still running (a zombie is not).
running() {
  local st=""
  [ -n "${1:-}" ] || return 1
  { read -r st < "/proc/$1/stat"; } 2>/dev/null || return 1
  st=${st##*) }
  [ -n "$st" ] && [ "${st:0:1}" != Z ]
}

# Register a process: its name, its log file, its command (words).
define() {
  local name=$1 log=$2
  shift 2
  CMD[$name]=$(printf '%q ' "$@")
  CMD[$name]+=" >>$(printf '%q' "$log") 2>&1"
  DELAY[$name]=0
  RESTARTS[$name]=0
  order+=("$name")
}

spawn() {
  local name=$1
  # eval: CMD holds the words quoted by printf %q and the redirection
  eval "${CMD[$name]} &"
  PID[$name]=$!
  STARTED[$name]=$SECONDS
  DUE[$name]=""
}

# A command of stack.sh run in a session of its own (out of reach of a signal
# sent to our process group); the shell waits for it.
stack() { setsid bash "$STACK" "$@"; }

# Read a NUL-separated command line printed by stack.sh.
read_cmd() {
  local -n out=$1
  out=()
  while IFS= read -r -d '' a; do out+=("$a"); done < <(bash "$STACK" "$2")
}

# A process exited: log it, and schedule its restart.
exited() {
  local name=$1 rc=$2 up=$((SECONDS - STARTED[$1])) how
  if [ "$rc" -gt 128 ]; then how="killed by signal $((rc - 128))"; else how="exit status $rc"; fi
  if [ "$up" -ge "$STABLE" ]; then DELAY[$name]=0; fi
  RESTARTS[$name]=$((RESTARTS[$name] + 1))
  DUE[$name]=$((SECONDS + DELAY[$name]))
  if [ "${DELAY[$name]}" -eq 0 ]; then
    say "$name (pid ${PID[$name]}) exited ($how) after ${up} s; restarting it now (restart ${RESTARTS[$name]})"
  else
    say "$name (pid ${PID[$name]}) exited ($how) after ${up} s; restarting it in ${DELAY[$name]} s (restart ${RESTARTS[$name]})"
  fi
  local next=$((DELAY[$name] == 0 ? 1 : DELAY[$name] * 2))
  DELAY[$name]=$((next > MAX_DELAY ? MAX_DELAY : next))
  PID[$name]=""
}

restart_due() {
  local name
  for name in "${order[@]}"; do
    if [ -n "${DUE[$name]}" ] && [ "$SECONDS" -ge "${DUE[$name]}" ]; then
      spawn "$name"
      say "$name started again (pid ${PID[$name]})"
    fi
  done
}

# Wait (at most $1 seconds) until none of the given pids runs; false if one does.
gone() {
  local limit=$1 p left i
  shift
  for ((i = 0; i < limit * 10; i++)); do
    left=0
    for p in "$@"; do running "$p" && left=1; done
    [ "$left" -eq 0 ] && return 0
    pause 0.1
  done
  return 1
}

# The same, then SIGKILL what still runs; reap them and log how each ended.
wait_gone() {
  local limit=$1 p name rc
  shift
  gone "$limit" "$@"
  for p in "$@"; do
    if running "$p"; then
      say "pid $p did not stop in ${limit} s: SIGKILL"
      kill -KILL "$p" 2>/dev/null || true
    fi
    rc=0
    wait "$p" 2>/dev/null || rc=$?
    for name in "${order[@]}"; do
      if [ "${PID[$name]:-}" = "$p" ]; then
        if [ "$rc" -gt 128 ]; then
          say "$name (pid $p) stopped: killed by signal $((rc - 128))"
        else
          say "$name (pid $p) stopped: exit status $rc"
        fi
      fi
    done
  done
}

# The demonstration backlog (deploy/demo_requests.py) is written through the API
# with the test clock set in the past, then the clock runs in real time again.
: "${EPART_TEST_CLOCK:=1}"
export EPART_TEST_CLOCK

stop_all() {
  [ "$stopped" -eq 1 ] && return 0
  set +e   # a stop goes to its end, whatever fails on the way
  stopped=1
  stopping=1
  say "stopping"
  local name p apps=() stores=()
  for name in "${order[@]}"; do
    [ -n "${PID[$name]:-}" ] || continue
    case "$name" in
      redis|postgresql) stores+=("${PID[$name]}") ;;
      *) kill -TERM "${PID[$name]}" 2>/dev/null || true; apps+=("${PID[$name]}") ;;
    esac
  done
  for p in "${EXTRA[@]}"; do
    running "$p" && kill -TERM "$p" 2>/dev/null && apps+=("$p")
  done
  # the API flushes its audit journal into PostgreSQL: the stores wait for it
  [ ${#apps[@]} -eq 0 ] || wait_gone 30 "${apps[@]}"
  # (again if a signal caught a stop command before its setsid)
  for _ in 1 2 3; do
    stack pg-stop
    stack redis-stop
    [ ${#stores[@]} -eq 0 ] && break
    gone 10 "${stores[@]}" && break
  done
  [ ${#stores[@]} -eq 0 ] || wait_gone 30 "${stores[@]}"
  say "stopped"
}

# From here on a signal never interrupts anything but a wait: see the top.
trap 'stopping=1' INT TERM
trap stop_all EXIT

# A previous run of this state directory killed without its stop (SIGKILL)
# may have left its stores running: stop them, they are started below as ours.
stack secrets
stack redis-stop
stack pg-stop
stack pg-init

read_cmd redis_cmd redis-cmd
define redis "$EPART_STATE_DIR/log/redis.stdout" setsid "${redis_cmd[@]}"
read_cmd pg_cmd pg-cmd
define postgresql "$(bash "$STACK" pg-log)" setsid "${pg_cmd[@]}"
spawn redis
spawn postgresql
for _ in $(seq 1 300); do
  bash "$STACK" redis-ready && bash "$STACK" pg-ready && break
  [ "$stopping" -eq 1 ] && exit 0
  sleep 0.1
done
stack redis-start   # running: the ACL is loaded again
stack pg-start      # running: authentication, role and database
stack migrate
stack demo
EPART_JWT_SECRET=$(bash "$STACK" secret)
export EPART_JWT_SECRET
# The demonstration OpenID provider (deploy/oidc-demo) puts its pid in pids:
# not supervised (a demonstration aid, not part of the service), but stopped
# with the API and the workers.
pids=()
source "$EPART_ROOT/deploy/oidc-demo/demo.sh"
oidc_demo_start
EXTRA=("${pids[@]}")

define api "$EPART_STATE_DIR/log/api.log" "$BIN/epart-api"
for i in $(seq 1 "$EPART_WORKERS"); do
  define "worker-$i" "$EPART_STATE_DIR/log/worker-$i.log" "$BIN/epart-worker"
done
for name in "${order[@]}"; do
  [ -n "${PID[$name]:-}" ] || spawn "$name"
done

url="http://127.0.0.1:$EPART_HTTP_PORT"
for _ in $(seq 1 100); do
  curl -fsS "$url/readyz" >/dev/null 2>&1 && break
  [ "$stopping" -eq 1 ] && exit 0
  sleep 0.1
done

python3 "$EPART_ROOT/deploy/demo_requests.py" --url "$url" ||
  echo "epart: the demonstration backlog was not loaded (see above)" >&2

tok() { "$BIN/epart-token" "$@"; }
PARTNER=$(tok --role partner --org 0b6f3c1e-3d0a-4c1e-9a51-1d2f6c7a8b01 --sub demo-pass --ttl 86400)
INSTRUCTOR=$(tok --role instructor --caisse 171 --sub demo-instructeur --ttl 86400)
ADMIN=$(tok --role admin --sub demo-admin --ttl 86400)
cat <<MSG

epart is running at $url   (logs in $EPART_STATE_DIR/log)

In a browser (sign-in links, valid 24 hours):
  instructor (caisse 171):  $url/app/#token=$INSTRUCTOR
  partner (PASS de ville de La Rochelle, habilitated for AME first requests):
                            $url/app/#token=$PARTNER
  admin:                    $url/app/#token=$ADMIN

Tokens for the API:
  partner:    $PARTNER
  instructor: $INSTRUCTOR
  admin:      $ADMIN

  try: curl -H "Authorization: Bearer <partner token>" $url/v1/dossiers
  JWT secret (EPART_JWT_SECRET): $EPART_JWT_SECRET
$(oidc_demo_agents "$url" "$(tok --role admin --sub demo-oidc-setup --ttl 60)")
  Redis and PostgreSQL passwords: $EPART_STATE_DIR/secrets/ (never printed)
Every process is supervised (restarted when it dies). Press Ctrl-C to stop.
MSG
say "running: $(for n in "${order[@]}"; do printf '%s=%s ' "$n" "${PID[$n]}"; done)"

ticker=""
while [ "$stopping" -eq 0 ]; do
  pids=()
  pending=0
  for name in "${order[@]}"; do
    [ -n "${PID[$name]}" ] && pids+=("${PID[$name]}")
    [ -n "${DUE[$name]}" ] && pending=1
  done
  # a restart is waiting for its delay: wake up at least every 0.2 s
  if [ "$pending" -eq 1 ]; then
    if ! running "$ticker"; then
      [ -n "$ticker" ] && wait "$ticker" 2>/dev/null || true
      sleep 0.2 &
      ticker=$!
    fi
    pids+=("$ticker")
  fi
  done_pid=""
  rc=0
  wait -n -p done_pid "${pids[@]}" || rc=$?
  [ "$stopping" -eq 1 ] && break
  if [ -n "$done_pid" ] && [ "$done_pid" != "$ticker" ]; then
    for name in "${order[@]}"; do
      if [ "${PID[$name]}" = "$done_pid" ]; then exited "$name" "$rc"; fi
    done
  fi
  restart_due
done
stop_all
exit 0
