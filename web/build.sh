#!/usr/bin/env bash
# build.sh — build the web application into OUT (default build/web): copy the
# sources of web/src, the front-end packages it uses from web/node_modules
# (installed by `npm ci` from the committed lock file, never fetched at run
# time), and a gzip copy of each text file, which epart-api sends to browsers
# that accept it. epart-api reads OUT once at start-up (api/core/web.c).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="${1:-$here/../build/web}"
tmp="$out.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
cp -R "$here/src/." "$tmp/"
mkdir -p "$tmp/vendor"
# Front-end packages served to the page (MIT): keep this list short.
cp "$here/node_modules/charts.css/dist/charts.min.css" "$tmp/vendor/charts.min.css"
# OpenID Connect in the page (SPEC §13, web/src/js/oidc.js): oauth4webapi (MIT)
cp "$here/node_modules/oauth4webapi/build/index.js" "$tmp/vendor/oauth4webapi.js"
find "$tmp" -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.svg' \
  -o -name '*.json' -o -name '*.txt' \) -exec gzip -9 -n -k {} \;
rm -rf "$out"
mv "$tmp" "$out"
