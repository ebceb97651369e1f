#!/usr/bin/env bash
# build.sh — the files of /v1/docs into <out> (default build/web-docs): our
# page, script and style, and Swagger UI's bundle and style from node_modules
# (installed by npm ci from the committed lock file). epart-api reads them at
# start-up and serves them from memory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../build/web-docs}"
dist="$here/node_modules/swagger-ui-dist"
mkdir -p "$out"
cp "$here/src/index.html" "$here/src/docs.js" "$here/src/docs.css" "$out/"
cp "$dist/swagger-ui-bundle.js" "$dist/swagger-ui.css" "$out/"
cp "$dist/LICENSE" "$out/swagger-ui-LICENSE.txt"
