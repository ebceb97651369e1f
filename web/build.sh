#!/usr/bin/env bash
# build.sh — build the two pages epart-api serves into BUILD (default build/),
# from the front-end packages of web/node_modules (installed by `npm ci` from
# the committed lock file, never fetched at run time). epart-api reads both
# folders once at start-up.
#
#   BUILD/web      the application of SPEC §12 (/app/, api/core/web.c): the
#                  sources of web/src, the packages it uses, and a gzip copy of
#                  each text file, sent to browsers that accept it
#   BUILD/apidocs  the page of /v1/docs (api/resources/apidocs.c): web/apidocs
#                  and Swagger UI's bundle and style, served as they are
#
# Each folder is written beside itself and moved into place, so a server
# starting meanwhile never reads half of one.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build="${1:-$here/../build}"
modules="$here/node_modules"

# replace DIR TMP: TMP becomes DIR.
replace() { rm -rf "$1"; mv "$2" "$1"; }

app="$build/web.tmp.$$"
rm -rf "$app"
mkdir -p "$app/vendor"
cp -R "$here/src/." "$app/"
# Front-end packages served to the page (MIT): keep this list short.
cp "$modules/charts.css/dist/charts.min.css" "$app/vendor/charts.min.css"
# OpenID Connect in the page (SPEC §13, web/src/js/oidc.js): oauth4webapi (MIT)
cp "$modules/oauth4webapi/build/index.js" "$app/vendor/oauth4webapi.js"
find "$app" -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.svg' \
  -o -name '*.json' -o -name '*.txt' \) -exec gzip -9 -n -k {} \;
replace "$build/web" "$app"

# /v1/docs: a fixed list of files (apidocs.c names each one).
docs="$build/apidocs.tmp.$$"
rm -rf "$docs"
mkdir -p "$docs"
cp "$here/apidocs/index.html" "$here/apidocs/docs.js" "$here/apidocs/docs.css" "$docs/"
# Swagger UI (Apache-2.0) renders the OpenAPI document; its licence goes with it.
dist="$modules/swagger-ui-dist"
cp "$dist/swagger-ui-bundle.js" "$dist/swagger-ui.css" "$docs/"
cp "$dist/LICENSE" "$docs/swagger-ui-LICENSE.txt"
replace "$build/apidocs" "$docs"
