#!/usr/bin/env bash
# callgrind_worker.sh — the worker's instructions per stream entry, by kind of
# entry, counted by valgrind's callgrind (see callgrind_worker.py's comment block).
#
#   tests/bench/callgrind_worker.sh [N]      (N entries per phase, default 500)
#
# Needs valgrind and a release build (make build); EPART_BIN to use another.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
command -v valgrind >/dev/null || { echo "callgrind: valgrind is missing (make deps)" >&2; exit 1; }
bin="${EPART_BIN:-build/release}"
[ -x "$bin/epart-api" ] && [ -x "$bin/epart-worker" ] ||
  { echo "callgrind: build $bin first (make build)" >&2; exit 1; }
exec /usr/bin/python3 tests/bench/callgrind_worker.py "$@"
