# demo.sh — sourced by deploy/run.sh: the OpenID provider of the demonstration.
#
# When no EPART_OIDC_ISSUER is set, oidc_demo_start starts deploy/oidc-demo
# (oidc-provider) on 127.0.0.1:$EPART_OIDC_DEMO_PORT (default EPART_HTTP_PORT +
# 1000), keys kept under $EPART_STATE_DIR, and points the API at it;
# oidc_demo_agents registers its demonstration accounts as epart agents (through
# POST /v1/agents, the product's own path) and prints them.

oidc_demo_start() {
  : "${EPART_PUBLIC_URL:=http://127.0.0.1:$EPART_HTTP_PORT}"
  export EPART_PUBLIC_URL
  OIDC_DEMO=0
  [ -n "${EPART_OIDC_ISSUER:-}" ] && return 0
  local port="${EPART_OIDC_DEMO_PORT:-$((EPART_HTTP_PORT + 1000))}"
  OIDC_PORT=$port OIDC_JWKS_FILE="$EPART_STATE_DIR/oidc-demo-jwks.json" \
    OIDC_CLIENT_ID=epart OIDC_REDIRECT_URIS="$EPART_PUBLIC_URL/app/callback" \
    OIDC_POST_LOGOUT_URIS="$EPART_PUBLIC_URL/app/" \
    node "$EPART_ROOT/deploy/oidc-demo/server.mjs" >>"$EPART_STATE_DIR/log/oidc-demo.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/.well-known/openid-configuration" >/dev/null 2>&1 && break
    sleep 0.1
  done
  export EPART_OIDC_ISSUER="http://127.0.0.1:$port" EPART_OIDC_CLIENT_ID=epart
  OIDC_DEMO=1
}

# $1: the API's URL, $2: an admin token.
oidc_demo_agents() {
  [ "$OIDC_DEMO" = 1 ] || return 0
  local url=$1 admin=$2 body
  for body in \
    '{"email":"instructeur@cpam-171.fr","name":"Inès Instructrice","role":"instructor","caisse":"171"}' \
    '{"email":"agent@pass-larochelle.fr","name":"Paul Partenaire","role":"partner","org":"0b6f3c1e-3d0a-4c1e-9a51-1d2f6c7a8b01"}' \
    '{"email":"admin@cpam-171.fr","name":"Anne Administratrice","role":"admin"}'; do
    # a second make run finds them already there (422 already_used): fine
    curl -sS -o /dev/null -X POST "$url/v1/agents" -H "Authorization: Bearer $admin" \
      -H 'Content-Type: application/json' -d "$body" || true
  done
  echo "  OpenID Connect: demonstration provider $EPART_OIDC_ISSUER"
  echo "  (\"Se connecter\" on $EPART_PUBLIC_URL/app/ ; accounts of deploy/oidc-demo/accounts.json):"
  node -e '
    for (const a of require(process.argv[1]))
      console.log(`    ${a.login.padEnd(26)} ${a.password.padEnd(17)} ${a.note}`);
  ' "$EPART_ROOT/deploy/oidc-demo/accounts.json"
}
