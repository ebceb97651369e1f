"""Agents sign in through a real OpenID Connect provider (SPEC §13): the
certified oidc-provider started on a free loopback port, the authorization code
flow with PKCE driven over HTTP, the ID token exchanged at POST
/v1/auth/session for epart's own token — and every defect refused: a token
signed by another key, expired, alg none or HS256, another audience or issuer,
no kid, a wrong or replayed nonce, an unknown or inactive agent. A key rotation
at the provider is followed, an unknown kid refetching the keys at most once
per EPART_OIDC_JWKS_REFRESH_MIN (shrunk to 2 s here)."""
import base64
import hashlib
import hmac
import json
import os
import tempfile
import time
import uuid

import pytest

import epart
from epart import wait_for
from oidc_provider import Key, Provider, b64url, jwt

REFRESH_MIN = 2
RATE = 50  # sign-ins per second and address (burst 200)


@pytest.fixture(scope="module")
def env():
    state = tempfile.mkdtemp(prefix="epart-oidc-")
    http_port = epart.free_port()
    public = "http://localhost:%d" % http_port
    provider = Provider(state, public + "/app/callback").start()
    stack = epart.Stack(workers=1, extra_env={
        "EPART_HTTP_PORT": str(http_port),
        "EPART_OIDC_ISSUER": provider.issuer,
        "EPART_OIDC_CLIENT_ID": "epart",
        "EPART_PUBLIC_URL": public,
        "EPART_OIDC_JWKS_REFRESH_MIN": str(REFRESH_MIN),
        "EPART_OIDC_SESSION_TTL": "900",
        "EPART_OIDC_SESSION_RATE": str(RATE),
    }, bin_dir=os.environ.get("EPART_BIN"))
    try:
        stack.start()
    except BaseException:
        provider.stop()
        raise
    admin = stack.client(epart.admin_token())
    org = admin.post("/v1/organisations", epart.organisation_body(kind="pass_ville")).json
    agents = {
        "instructor": admin.post("/v1/agents", {"email": "instructeur@cpam-171.fr",
                                                "role": "instructor", "caisse": "171"}).json,
        "partner": admin.post("/v1/agents", {"email": "AGENT@pass-larochelle.fr",
                                             "role": "partner", "org": org["id"]}).json,
    }
    assert all("id" in a for a in agents.values()), agents
    yield {"stack": stack, "provider": provider, "admin": admin, "org": org, "agents": agents}
    provider.stop()
    reports = stack.stop()
    assert not reports, reports


def session(env, id_token, nonce=None, **kw):
    body = {"id_token": id_token}
    if nonce is not None:
        body["nonce"] = nonce
    return env["stack"].client().post("/v1/auth/session", body, **kw)


def claims_of(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def fetches(env):
    text = env["stack"].client().get("/metrics").body.decode()
    for line in text.splitlines():
        if line.startswith("epart_oidc_jwks_fetches_total "):
            return int(line.split()[1])
    raise AssertionError("no epart_oidc_jwks_fetches_total in /metrics")


def refused(r, status=401):
    assert r.status == status, r
    assert r.header("Content-Type").startswith("application/problem+json")
    assert r.json["status"] == status and r.json["detail"], r.json
    return r.json["detail"]


def test_public_configuration(env):
    r = env["stack"].client().get("/v1/auth/config")
    assert r.status == 200, r
    c = r.json
    assert c["enabled"] is True and c["issuer"] == env["provider"].issuer
    assert c["client_id"] == "epart" and c["scopes"] == "openid email"
    assert c["redirect_uri"].endswith("/app/callback") and c["confidential"] is False
    assert wait_for(lambda: env["stack"].client().get("/v1/auth/config")
                    .json["token_endpoint"] == env["provider"].issuer + "/token")
    c = env["stack"].client().get("/v1/auth/config").json
    assert c["end_session_endpoint"] == env["provider"].issuer + "/session/end"
    assert "client_secret" not in json.dumps(c)


def test_instructor_signs_in_and_works_with_its_role(env):
    tokens, nonce = env["provider"].sign_in("instructeur@cpam-171.fr")
    r = session(env, tokens["id_token"], nonce)
    assert r.status == 200, r
    assert r.json["token_type"] == "Bearer" and 0 < r.json["expires_in"] <= 3600
    assert r.json["agent"]["role"] == "instructor" and r.json["agent"]["caisse"] == "171"
    access = r.json["access_token"]
    c = claims_of(access)
    assert c["role"] == "instructor" and c["caisse"] == "171" and c["iss"] == "epart"
    assert c["exp"] - c["iat"] == 900
    me = env["stack"].client(access)
    assert me.get("/v1/dossiers").status == 200
    assert me.get("/v1/agents").status == 403  # an instructor is no administrator
    # the first sign-in recorded (issuer, sub)
    a = env["admin"].get("/v1/agents/" + env["agents"]["instructor"]["id"]).json
    assert a["issuer"] == env["provider"].issuer and a["sub"] == "d1e0c7a2-instructeur-171"
    assert a["last_signin_at"] is not None and a["version"] == 2
    # later sign-ins go by (issuer, sub): a changed e-mail does not lose the agent
    p = env["admin"].patch("/v1/agents/" + a["id"], {"email": "ines.nouvelle@cpam-171.fr"})
    assert p.status == 200, p
    tokens, nonce = env["provider"].sign_in("instructeur@cpam-171.fr")
    assert session(env, tokens["id_token"], nonce).status == 200


def test_partner_agent_signs_in_within_its_organisation(env):
    tokens, nonce = env["provider"].sign_in("agent@pass-larochelle.fr")
    r = session(env, tokens["id_token"], nonce)  # e-mail matched whatever its case
    assert r.status == 200, r
    c = claims_of(r.json["access_token"])
    assert c["role"] == "partner" and c["org"] == env["org"]["id"]
    me = env["stack"].client(r.json["access_token"])
    assert me.get("/v1/organisations/" + env["org"]["id"]).status == 200
    r = me.post("/v1/dossiers", epart.dossier_body("puma"))
    assert r.status == 202, r


def test_unknown_agent_is_told_whom_to_ask(env):
    tokens, nonce = env["provider"].sign_in("inconnu@example.org")
    detail = refused(session(env, tokens["id_token"], nonce), 403)
    assert "administrateur" in detail


def test_inactive_agent_is_refused(env):
    admin = env["admin"]
    a = admin.post("/v1/agents", {"email": "admin@cpam-171.fr", "role": "admin",
                                  "active": False}).json
    tokens, nonce = env["provider"].sign_in("admin@cpam-171.fr")
    detail = refused(session(env, tokens["id_token"], nonce), 403)
    assert "désactivé" in detail and "administrateur" in detail
    admin.patch("/v1/agents/" + a["id"], {"active": True})
    tokens, nonce = env["provider"].sign_in("admin@cpam-171.fr")
    r = session(env, tokens["id_token"], nonce)
    assert r.status == 200 and claims_of(r.json["access_token"])["role"] == "admin"


def test_email_bound_to_another_identity_is_refused(env):
    """An address taken over at the provider by someone else gives no access."""
    p = env["provider"]
    admin = env["admin"]
    admin.post("/v1/agents", {"email": "repris@example.org", "role": "admin",
                              "issuer": p.issuer, "sub": "the-first-owner"})
    t = p.forge(sub="someone-else", email="repris@example.org", email_verified=True)
    refused(session(env, t), 403)
    # an e-mail the provider says is not verified is not matched
    admin.post("/v1/agents", {"email": "non-verifie@example.org", "role": "admin"})
    t = p.forge(sub="unverified-" + uuid.uuid4().hex, email="non-verifie@example.org",
                email_verified=False)
    refused(session(env, t), 403)


def test_es256_tokens_are_accepted(env):
    p = env["provider"]
    admin = env["admin"]
    admin.post("/v1/agents", {"email": "es256@example.org", "role": "admin"})
    ec_key = next(k for k in p.keys if k.alg == "ES256")
    t = p.forge(key=ec_key, sub="es-" + uuid.uuid4().hex, email="es256@example.org")
    r = session(env, t)
    assert r.status == 200, r


def test_token_signed_by_another_key_is_refused(env):
    p = env["provider"]
    intruder = Key("RSA", kid=p.signing_key.kid)  # the provider's kid, another key
    t = p.forge(key=intruder, sub="d1e0c7a2-instructeur-171", email="instructeur@cpam-171.fr")
    assert "signature" in refused(session(env, t))
    intruder_ec = Key("EC", kid=next(k for k in p.keys if k.alg == "ES256").kid)
    refused(session(env, p.forge(key=intruder_ec)))
    # a genuine token whose signature was tampered with
    tokens, _ = p.sign_in("instructeur@cpam-171.fr")
    h, c, s = tokens["id_token"].split(".")
    forged_claims = claims_of(tokens["id_token"])
    forged_claims["sub"] = "8c2d4f66-admin"
    refused(session(env, h + "." + b64url(json.dumps(forged_claims).encode()) + "." + s))


def test_expired_and_badly_timed_tokens_are_refused(env):
    p = env["provider"]
    now = int(time.time())
    assert "expiré" in refused(session(env, p.forge(iat=now - 400, exp=now - 60)))
    refused(session(env, p.forge(iat=now + 600, exp=now + 900)))  # issued in the future
    refused(session(env, p.forge(iat=now - 3000, exp=now + 600)))  # too old to exchange
    refused(session(env, p.forge(nbf=now + 600)))
    refused(session(env, p.forge(exp=str(now + 300))))
    c = p.claims()
    del c["iat"]
    refused(session(env, p.forge(claims=c)))


def test_algorithms_other_than_rs256_es256_are_refused(env):
    p = env["provider"]
    k = p.signing_key
    claims = p.claims(sub="d1e0c7a2-instructeur-171")
    none = jwt({"alg": "none", "kid": k.kid}, claims, signature=b"")
    assert "RS256" in refused(session(env, none))
    refused(session(env, jwt({"alg": "None", "kid": k.kid}, claims, signature=b"")))
    # HS256 keyed with the provider's public key (the classic confusion) or epart's secret
    signing = (b64url(json.dumps({"alg": "HS256", "kid": k.kid}).encode()) + "." +
               b64url(json.dumps(claims).encode()))
    for secret in (json.dumps(k.public).encode(), epart.SECRET.encode()):
        mac = hmac.new(secret, signing.encode(), hashlib.sha256).digest()
        refused(session(env, signing + "." + b64url(mac)))
    refused(session(env, p.forge(header={"alg": "RS512", "kid": k.kid})))
    refused(session(env, p.forge(header={"alg": "PS256", "kid": k.kid})))
    # the key of a kid is for one algorithm only
    ec_key = next(x for x in p.keys if x.alg == "ES256")
    refused(session(env, p.forge(key=k, header={"alg": "ES256", "kid": ec_key.kid})))
    refused(session(env, p.forge(header={"alg": "RS256"})))  # no kid
    refused(session(env, p.forge(header={"alg": "RS256", "kid": k.kid, "crit": ["exp"]})))


def test_wrong_claims_are_refused(env):
    p = env["provider"]
    refused(session(env, p.forge(iss="https://evil.example.org")))
    refused(session(env, p.forge(iss=p.issuer + "/")))
    refused(session(env, p.forge(aud="another-client")))
    refused(session(env, p.forge(aud=["epart", "another-client"])))  # several: azp required
    refused(session(env, p.forge(aud=["epart"], azp="another-client")))
    refused(session(env, p.forge(sub="")))
    refused(session(env, p.forge(sub="a\u0001b")))
    c = p.claims()
    del c["sub"]
    refused(session(env, p.forge(claims=c)))


def test_nonce_is_checked_and_used_once(env):
    p = env["provider"]
    tokens, nonce = p.sign_in("agent@pass-larochelle.fr")
    assert "nonce" in refused(session(env, tokens["id_token"], "another-nonce"))
    assert session(env, tokens["id_token"], nonce).status == 200
    # a replay of the same ID token opens no second session
    assert "déjà servi" in refused(session(env, tokens["id_token"], nonce))
    refused(session(env, p.forge(), nonce="expected"))  # expected, but the token has none


def test_hostile_bodies(env):
    c = env["stack"].client()
    assert c.post("/v1/auth/session", raw=b"{").status == 400
    assert c.post("/v1/auth/session", raw=b'{"id_token":"x"}', content_type="text/plain").status == 415
    r = c.post("/v1/auth/session", {})
    assert r.status == 422 and ("id_token", "required") in r.error_codes()
    r = c.post("/v1/auth/session", {"id_token": 12, "nonce": [], "x": 1})
    assert r.status == 422
    assert {("id_token", "invalid_type"), ("nonce", "invalid_type"),
            ("x", "unknown_field")} <= r.error_codes()
    r = c.post("/v1/auth/session", {"id_token": "a" * 20000})
    assert r.status == 422 and ("id_token", "too_long") in r.error_codes()
    for garbage in ["a.b.c", "....", "eyJhbGciOiJSUzI1NiJ9", "' OR 1=1 --", "a.b", "a..c",
                    b64url(b'{"alg":"RS256","kid":"x"}') + ".e30." + "A" * 342]:
        refused(session(env, garbage))


def test_key_rotation_is_followed_and_refetches_are_bounded(env):
    p = env["provider"]
    # unknown kids refetch the keys at most once per REFRESH_MIN seconds
    time.sleep(REFRESH_MIN + 0.5)
    before = fetches(env)
    stranger = Key("RSA")
    for _ in range(5):
        refused(session(env, p.forge(key=stranger)))
    assert fetches(env) - before == 1, (before, fetches(env))
    # the provider rotates: a new key signs, the old one is gone
    old = p.signing_key
    p.rotate([Key("RSA"), Key("EC")])
    assert p.signing_key.kid != old.kid
    time.sleep(REFRESH_MIN + 0.5)
    tokens, nonce = p.sign_in("instructeur@cpam-171.fr")
    assert json.loads(base64.urlsafe_b64decode(tokens["id_token"].split(".")[0] + "=="))["kid"] \
        == p.signing_key.kid
    r = session(env, tokens["id_token"], nonce)
    assert r.status == 200, r
    # a token of the retired key no longer passes once the set was refetched
    refused(session(env, p.forge(key=old)))


def test_sign_ins_and_refusals_are_journaled(env):
    admin = env["admin"]
    agent_id = env["agents"]["partner"]["id"]

    def rows(q):
        return admin.get("/v1/audit?" + q + "&limit=500").json["items"]
    assert wait_for(lambda: any(x["action"] == "signin" and x["object_id"] == agent_id
                                for x in rows("object_type=agent")))
    row = next(x for x in rows("object_type=agent") if x["action"] == "signin"
               and x["object_id"] == agent_id)
    assert row["sub"] == "agent:" + agent_id and row["role"] == "partner"
    assert row["org"] == env["org"]["id"]
    refusals = rows("object_type=session")
    reasons = {x["object_id"] for x in refusals if x["action"] == "signin_refused"}
    assert {"unknown_agent", "inactive_agent", "bad_signature", "expired", "bad_alg",
            "replayed"} <= reasons, reasons
    assert any(x["sub"] == "oidc:0a7e9b55-inconnu" for x in refusals)


def test_the_api_can_exchange_the_code_itself(env):
    """{"code","code_verifier"}: the exchange a confidential client needs, done by
    the API (here for the public client: the same path without a secret)."""
    p = env["provider"]
    code, verifier, nonce = p.authorize("agent@pass-larochelle.fr")
    c = env["stack"].client()
    r = c.post("/v1/auth/session", {"code": code, "code_verifier": verifier, "nonce": nonce})
    assert r.status == 200, r
    assert claims_of(r.json["access_token"])["role"] == "partner"
    # a code is good once; a wrong verifier is refused by the provider
    assert "code" in refused(c.post("/v1/auth/session", {"code": code, "code_verifier": verifier}))
    code, _, nonce = p.authorize("agent@pass-larochelle.fr")
    refused(c.post("/v1/auth/session", {"code": code, "code_verifier": "v" * 43, "nonce": nonce}))
    for body, err in [({"code": "x"}, ("code_verifier", "required")),
                      ({"code": "x", "code_verifier": "short"}, ("code_verifier", "invalid_format")),
                      ({"code": "x y", "code_verifier": "v" * 43}, ("code", "invalid_format")),
                      ({"code": "x", "code_verifier": "v" * 43, "id_token": "a.b.c"},
                       ("code", "exclusive"))]:
        r = c.post("/v1/auth/session", body)
        assert r.status == 422 and err in r.error_codes(), (body, r)


def test_confidential_client(tmp_path):
    """EPART_OIDC_CLIENT_SECRET: the provider takes the code only with the secret,
    which only the API holds."""
    http_port = epart.free_port()
    public = "http://localhost:%d" % http_port
    provider = Provider(str(tmp_path), public + "/app/callback",
                        client_secret="secret-du-client-confidentiel-0123456789").start()
    stack = epart.Stack(workers=1, extra_env={
        "EPART_HTTP_PORT": str(http_port), "EPART_OIDC_ISSUER": provider.issuer,
        "EPART_OIDC_CLIENT_ID": "epart", "EPART_PUBLIC_URL": public,
        "EPART_OIDC_CLIENT_SECRET": "secret-du-client-confidentiel-0123456789",
    }, bin_dir=os.environ.get("EPART_BIN"))
    try:
        stack.start()
        admin = stack.client(epart.admin_token())
        assert admin.post("/v1/agents", {"email": "instructeur@cpam-171.fr", "role": "instructor",
                                         "caisse": "171"}).status == 201
        cfg = stack.client().get("/v1/auth/config").json
        assert cfg["confidential"] is True and "secret" not in json.dumps(cfg)
        code, verifier, nonce = provider.authorize("instructeur@cpam-171.fr")
        # without the secret the provider refuses the code (what a browser would get)
        t = __import__("oidc_provider").Browser().post(provider.issuer + "/token", data={
            "grant_type": "authorization_code", "code": code, "client_id": "epart",
            "redirect_uri": provider.redirect_uri, "code_verifier": verifier})
        assert t.status_code in (400, 401), t.text
        code, verifier, nonce = provider.authorize("instructeur@cpam-171.fr")
        r = stack.client().post("/v1/auth/session",
                                {"code": code, "code_verifier": verifier, "nonce": nonce})
        assert r.status == 200, r
        assert claims_of(r.json["access_token"])["caisse"] == "171"
    finally:
        provider.stop()
        reports = stack.stop()
        assert not reports, reports


def test_sign_ins_are_rate_limited_per_address(env):
    c = env["stack"].client()
    answers = [c.post("/v1/auth/session", {"id_token": "x.y.z"}) for _ in range(400)]
    time.sleep(5)  # leave the bucket full again for the other tests
    assert answers[0].status == 401
    limited = [r for r in answers if r.status == 429]
    assert limited, [r.status for r in answers[-5:]]
    assert int(limited[0].header("Retry-After")) >= 1


def test_without_a_provider_the_endpoint_says_so(stack):
    r = stack.client().post("/v1/auth/session", {"id_token": "x"})
    assert r.status == 503 and "EPART_OIDC_ISSUER" in r.json["detail"]
    assert stack.client().get("/v1/auth/config").json == {"enabled": False}
