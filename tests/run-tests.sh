#!/usr/bin/env bash
# run-tests.sh — every test suite of epart, as make test runs them.
#
#   tests/run-tests.sh            all suites
#   tests/run-tests.sh unit       unit tests only (sanitizers + valgrind)
#   tests/run-tests.sh integration | browser | chaos | contract | ha
#
# Unit tests run under ASan+UBSan and, built without sanitizers, under valgrind;
# the integration and chaos suites start the sanitizer build of the API and
# workers against a real PostgreSQL and Redis and fail on any sanitizer report.
set -uo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
failed=()

run_unit() {
  local t
  for t in build/asan/tests/test_*; do
    [ -x "$t" ] || continue
    if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$t" >/tmp/epart-unit.log 2>&1; then
      cat /tmp/epart-unit.log; failed+=("unit(asan): $t")
    fi
  done
  for t in build/release/tests/test_*; do
    [ -x "$t" ] || continue
    if ! valgrind -q --leak-check=full --error-exitcode=1 "$t" >/tmp/epart-unit.log 2>&1; then
      cat /tmp/epart-unit.log; failed+=("unit(valgrind): $t")
    fi
  done
  bash tests/fuzz/run.sh --regress || failed+=("fuzz regressions (tests/fuzz/run.sh --regress)")
  bash tests/lint/layers.sh || failed+=("layers of api/ (tests/lint/layers.sh)")
  echo "unit: done"
}

# The OpenAPI document against real traffic and outside tools (tests/contract).
run_contract() {
  mkdir -p build/contract
  EPART_BIN="${EPART_BIN:-$PWD/build/asan}" /usr/bin/python3 tests/contract/traffic.py \
      --direct build/contract/direct.json || { failed+=("contract: Prism pass"); return; }
  build/release/epart-api --openapi > build/contract/openapi.json &&
    node tests/contract/check.mjs build/contract/openapi.json build/contract \
      build/contract/direct.json || failed+=("contract: OpenAPI 3.1, examples, types")
  node tests/contract/agree.mjs build/contract/openapi.json build/release/bodycheck ||
    failed+=("contract: C validators and schemas disagree")
}

run_pytest() {
  local dir="$1"
  EPART_BIN="${EPART_BIN:-$PWD/build/asan}" /usr/bin/python3 -m pytest -q -x -p no:cacheprovider "$dir" ||
    failed+=("$dir")
}

case "$what" in
  unit) run_unit ;;
  integration) run_pytest tests/integration ;;
  browser) run_pytest tests/browser ;;
  chaos) run_pytest tests/chaos ;;
  contract) run_contract ;;
  ha) run_pytest tests/ha ;;
  all)
    run_unit
    run_contract
    run_pytest tests/integration
    run_pytest tests/browser
    [ -d tests/chaos ] && ls tests/chaos/test_*.py >/dev/null 2>&1 && run_pytest tests/chaos
    run_pytest tests/ha
    ;;
  *) echo "usage: $0 [unit|integration|browser|chaos|all]" >&2; exit 2 ;;
esac

if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "all tests passed"
