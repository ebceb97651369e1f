#!/usr/bin/env bash
# layers.sh — the API's layers hold (api/main.c states them; docs/architecture.md).
#
# Each include of a file of api/ names its layer ("core/server.h"), so the
# rules are read from the include lines alone:
#   core/       includes no support/ nor resources/ file (but the route table,
#               core/route_table.c, names the handlers: resources/handlers.h);
#   support/    includes no resources/ file;
#   resources/  includes no other resource's header but handlers.h;
#   core/call_job.h is included by core/ alone; nothing outside api/ includes
#   a file of api/;
#   store/ (called by api/ and worker/) includes no file of api/ nor worker/,
#   and common/ no file of store/.
# Prints every include that breaks a rule and exits 1 if there is one.
set -uo pipefail
cd "$(dirname "$0")/../.."
bad=0
say() { echo "layers: $1: $2"; bad=1; }

while IFS=: read -r file _ inc; do
  name=$(sed -E 's/.*#include "([^"]+)".*/\1/' <<<"$inc")
  case "$file" in
    api/core/route_table.c) [ "$name" = resources/handlers.h ] && continue ;;
  esac
  case "$file:$name" in
    api/core/*:support/*|api/core/*:resources/*) say "$file" "core/ includes $name" ;;
    api/support/*:resources/*) say "$file" "support/ includes $name" ;;
    api/resources/*:resources/*)
      own="resources/$(basename "${file%.*}").h"
      [ "$name" = resources/handlers.h ] || [ "$name" = "$own" ] ||
        say "$file" "a resource includes another's header, $name" ;;
  esac
  case "$file:$name" in
    api/core/*:core/call_job.h) ;;
    *:core/call_job.h) say "$file" "core/call_job.h is core's alone" ;;
  esac
done < <(grep -rnE '^#include "(core|support|resources)/' api --include='*.c' --include='*.h')

while IFS= read -r line; do
  say "${line%%:*}" "outside api/, includes a file of api/"
done < <(grep -rlE '^#include "(api/|core/|support/|resources/)' common store worker tests deploy \
           --include='*.c' --include='*.h' 2>/dev/null)

# a worker's header is included by its bare name ("persist.h") or as worker/…
while IFS=: read -r file _ inc; do
  name=$(sed -E 's/.*#include "([^"]+)".*/\1/' <<<"$inc")
  [ -e "worker/${name#worker/}" ] && say "$file" "store/ includes $name, a file of worker/"
done < <(grep -rnE '^#include "' store --include='*.c' --include='*.h')

while IFS= read -r line; do
  say "${line%%:*}" "common/ includes a file of store/"
done < <(grep -rlE '^#include "store/' common --include='*.c' --include='*.h' 2>/dev/null)

[ "$bad" = 0 ] && echo "layers: every include keeps to its layer"
exit "$bad"
