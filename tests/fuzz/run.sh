#!/usr/bin/env bash
# run.sh — build and run the libFuzzer targets of tests/fuzz (make fuzz).
#
#   tests/fuzz/run.sh [target…]            build, then fuzz each target for
#                                          FUZZ_SECONDS seconds (default 60)
#   tests/fuzz/run.sh --regress [target…]  build, then run each target once over
#                                          its committed corpus and regressions,
#                                          without fuzzing (part of make test)
#   tests/fuzz/run.sh --build [target…]    build only
#   tests/fuzz/run.sh --coverage [target…] line coverage of common/ reached by
#                                          the last fuzzing corpus of each target
#                                          (build/fuzz/work/<target>, else the
#                                          committed one), with llvm-cov
#
# Everything is built with clang (-fsanitize=fuzzer,address,undefined) into
# build/fuzz/: the common/*.c sources are compiled there with the same
# sanitizers (never the Makefile's build/release or build/asan objects) and
# archived into build/fuzz/libcommon.a.
#
# Fuzzing starts from a copy of tests/fuzz/corpus/<target>/ in
# build/fuzz/work/<target>/: new inputs go there, never into the repository.
# tests/fuzz/regressions/<target>/ is read as a second, read-only corpus. A
# crashing input is written under build/fuzz/artifacts/<target>/ and its path is
# printed; the script then exits non-zero. One fuzzer process runs at a time.
#
# Environment: FUZZ_SECONDS (60), FUZZ_CC (clang), FUZZ_RSS_MB (2048).
set -uo pipefail
cd "$(dirname "$0")/../.."

FUZZ_DIR=tests/fuzz
OUT=build/fuzz
CC="${FUZZ_CC:-clang}"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"
RSS_MB="${FUZZ_RSS_MB:-2048}"

mode=fuzz
case "${1:-}" in
  --regress) mode=regress; shift ;;
  --build) mode=build; shift ;;
  --coverage) mode=coverage; shift ;;
  -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
esac

all_targets=(dossier nir siret dates token cursor route droits webhook_url idtoken webpath stream json)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

# Longest input per target: a little over the largest meaningful input, so
# that the fuzzer spends its time on shapes rather than on sheer size.
max_len() {
  case "$1" in
    dossier|droits|json) echo 8192 ;;
    token) echo 4096 ;;
    idtoken) echo 8192 ;;
    route) echo 1024 ;;
    webhook_url) echo 2100 ;;
    cursor) echo 256 ;;
    stream) echo 2048 ;;
    dates) echo 64 ;;
    nir|siret) echo 48 ;;
    *) echo 4096 ;;
  esac
}

SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
BASE="-std=c11 -D_GNU_SOURCE -Icommon -I/usr/include/postgresql -g -O1 -fno-omit-frame-pointer -pthread"
WARN="-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral -Wvla"
LIBS="-ljansson -ljwt -lssl -lcrypto -lhiredis -lpq -lcurl -lm"

die() { echo "fuzz: $*" >&2; exit 2; }

build() {
  command -v "$CC" >/dev/null || die "$CC not found (install clang and libclang-rt-14-dev: make deps)"
  mkdir -p "$OUT/obj/common" || die "cannot create $OUT"
  local src obj objs=() rebuilt=0 newest_h
  newest_h=$(ls -t common/*.h | head -n 1)
  for src in common/*.c; do
    obj="$OUT/obj/${src%.c}.o"
    objs+=("$obj")
    # Rebuild when the source or any common header is newer than the object.
    if [ ! -e "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_h" -nt "$obj" ]; then
      # The common sources are the project's: their warnings are the Makefile's
      # business (gcc, -Werror), so clang's opinion is shown but not fatal here.
      $CC $BASE $WARN -fsanitize=fuzzer-no-link $SAN -c "$src" -o "$obj" || die "compiling $src failed"
      rebuilt=1
    fi
  done
  if [ $rebuilt -eq 1 ] || [ ! -e "$OUT/libcommon.a" ]; then
    rm -f "$OUT/libcommon.a"
    ar rcs "$OUT/libcommon.a" "${objs[@]}" || die "ar failed"
  fi
  local t bin
  for t in "${targets[@]}"; do
    src="$FUZZ_DIR/fuzz_$t.c"
    bin="$OUT/fuzz_$t"
    [ -f "$src" ] || die "no target $src"
    if [ ! -e "$bin" ] || [ "$src" -nt "$bin" ] || [ "$OUT/libcommon.a" -nt "$bin" ] ||
       [ "$FUZZ_DIR/fuzz_common.h" -nt "$bin" ] || [ api/core/routes.def -nt "$bin" ]; then
      $CC $BASE $WARN -Werror -I"$FUZZ_DIR" -fsanitize=fuzzer $SAN "$src" "$OUT/libcommon.a" \
        $LIBS -o "$bin" || die "building $bin failed"
    fi
  done
}

# The files of a directory, one per line (none when it does not exist).
files_of() {
  [ -d "$1" ] && find "$1" -type f ! -name '.*' | sort
}

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

regress() {
  local t bin failed=0 inputs log
  mkdir -p "$OUT/logs"
  for t in "${targets[@]}"; do
    bin="$OUT/fuzz_$t"
    mapfile -t inputs < <(files_of "$FUZZ_DIR/corpus/$t"; files_of "$FUZZ_DIR/regressions/$t")
    if [ ${#inputs[@]} -eq 0 ]; then
      echo "fuzz regress: $t: no inputs"
      continue
    fi
    log="$OUT/logs/regress-$t.log"
    if "$bin" -rss_limit_mb="$RSS_MB" -timeout=25 "${inputs[@]}" >"$log" 2>&1; then
      echo "fuzz regress: $t: ${#inputs[@]} inputs ok"
    else
      tail -n 60 "$log"
      echo "fuzz regress: $t: FAILED (log: $log; the input is the last 'Running:' line)" >&2
      grep 'Running:' "$log" | tail -n 1 >&2
      failed=1
    fi
  done
  return $failed
}

fuzz() {
  local t bin work art log rc failed=0 execs cov summary="$OUT/summary.txt" dict
  mkdir -p "$OUT/logs"
  : >"$summary"
  for t in "${targets[@]}"; do
    bin="$OUT/fuzz_$t"
    work="$OUT/work/$t"
    art="$OUT/artifacts/$t"
    log="$OUT/logs/fuzz-$t.log"
    # A fresh copy of the committed corpus: the repository is never written.
    rm -rf "$work" && mkdir -p "$work" "$art"
    [ -d "$FUZZ_DIR/corpus/$t" ] && cp -R "$FUZZ_DIR/corpus/$t/." "$work/"
    local extra=()
    [ -d "$FUZZ_DIR/regressions/$t" ] && extra+=("$FUZZ_DIR/regressions/$t")
    dict=()
    [ -f "$FUZZ_DIR/dict/$t.dict" ] && dict=(-dict="$FUZZ_DIR/dict/$t.dict")
    echo "fuzz: $t for ${SECONDS_PER_TARGET}s (max_len $(max_len "$t"))"
    "$bin" -max_total_time="$SECONDS_PER_TARGET" -max_len="$(max_len "$t")" \
      -rss_limit_mb="$RSS_MB" -timeout=25 -print_final_stats=1 "${dict[@]}" \
      -artifact_prefix="$art/" "$work" "${extra[@]}" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    printf '%-11s %6ss %12s execs  cov %-6s corpus %5s  rc %s\n' "$t" "$SECONDS_PER_TARGET" \
      "${execs:-?}" "${cov:-?}" "$(find "$work" -type f | wc -l)" "$rc" | tee -a "$summary"
    if [ $rc -ne 0 ]; then
      failed=1
      tail -n 80 "$log"
      local a
      # libFuzzer names the file it saved: "Test unit written to <path>".
      for a in $(sed -n 's/^.*Test unit written to //p' "$log"); do
        echo "fuzz: $t: crashing input: $a" >&2
        echo "fuzz:   reproduce: $bin $a" >&2
      done
      echo "fuzz: $t: FAILED (log: $log)" >&2
    fi
  done
  return $failed
}

# Coverage: a separate build (no sanitizers) in build/fuzz/cov, run once over
# the corpus; reports the common/*.c files each target reaches.
coverage() {
  local cov="$OUT/cov" t bin dir inputs prof="" rc=0
  local CFL="$BASE -fprofile-instr-generate -fcoverage-mapping"
  command -v llvm-profdata >/dev/null && command -v llvm-cov >/dev/null ||
    die "llvm-profdata and llvm-cov are needed (package llvm)"
  mkdir -p "$cov/obj" || die "cannot create $cov"
  local src objs=()
  for src in common/*.c; do
    objs+=("$cov/obj/$(basename "${src%.c}").o")
    $CC $CFL -fsanitize=fuzzer-no-link -c "$src" -o "$cov/obj/$(basename "${src%.c}").o" ||
      die "compiling $src for coverage failed"
  done
  for t in "${targets[@]}"; do
    bin="$cov/fuzz_$t"
    $CC $CFL -I"$FUZZ_DIR" -fsanitize=fuzzer "$FUZZ_DIR/fuzz_$t.c" "${objs[@]}" $LIBS -o "$bin" ||
      die "building $bin failed"
    dir="$OUT/work/$t"
    [ -d "$dir" ] || dir="$FUZZ_DIR/corpus/$t"
    mapfile -t inputs < <(files_of "$dir"; files_of "$FUZZ_DIR/regressions/$t")
    rm -f "$cov/$t.profraw"
    LLVM_PROFILE_FILE="$cov/$t.profraw" "$bin" "${inputs[@]}" >/dev/null 2>&1 || rc=1
    llvm-profdata merge -sparse "$cov/$t.profraw" -o "$cov/$t.profdata" || die "llvm-profdata failed"
    echo "== $t (${#inputs[@]} inputs from $dir)"
    llvm-cov report "$bin" -instr-profile="$cov/$t.profdata" -ignore-filename-regex='tests/fuzz/' |
      awk '$1 ~ /common\/[^\/]*\.c$/ && $8 - $9 > 0 {
             f = $1; sub(/.*common\//, "common/", f)
             printf "  %-28s %5d of %5d lines  %s\n", f, $8 - $9, $8, $10 }'
  done
  return $rc
}

case "$mode" in
  coverage) coverage; exit $? ;;
esac
build
case "$mode" in
  build) exit 0 ;;
  regress) regress ;;
  fuzz) fuzz ;;
esac
