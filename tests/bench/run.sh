#!/usr/bin/env bash
# run.sh — make bench: epart's benchmarks, each reported as a ratio against a
# reference measured in the same run (see the comment block of bench.py for what
# each one measures and how).
#
#   tests/bench/run.sh [ingest|drain|e2e|reads|memory|overload|scanner|all]...
#
# Each benchmark starts its own PostgreSQL and Redis (deploy/stack.sh, the shipped
# durable Redis configuration) under a temporary state directory on free ports,
# and the build/release binaries itself (EPART_BIN to change), so that it decides
# whether workers run. Tools: wrk with tests/bench/http.lua, redis-benchmark,
# pgbench, pg_test_fsync. Raw outputs go to var/bench/<date>/, the latest result of
# each benchmark to var/bench/results.json and the table, with commands, machine,
# load and dates, to docs/BENCHMARKS.md. Prints a summary with PASS/FAIL per goal;
# exits 1 only when a benchmark could not run (a missed goal is a result).
#
# BENCH_LONG=1 makes the memory run last 10 minutes (default 60 s);
# BENCH_DURATION sets the other runs (default 30 s).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

for tool in wrk redis-benchmark redis-server curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (make deps)" >&2; exit 1; }
done
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$pg_bin/pgbench" ] || { echo "bench: pgbench is missing (postgresql-contrib)" >&2; exit 1; }
bin="${EPART_BIN:-build/release}"
[ -x "$bin/epart-api" ] && [ -x "$bin/epart-worker" ] ||
  { echo "bench: build $bin first (make build)" >&2; exit 1; }

# 640+ connections for the overload run, on both sides
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

exec /usr/bin/python3 tests/bench/bench.py "$@"
