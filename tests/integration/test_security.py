"""Security after the OWASP API Security Top 10: object-level authorisation on
every route with someone else's ids, authentication defects, resource
consumption, mass assignment, rate limiting."""
import json
import os
import socket
import subprocess
import threading
import time
import uuid

import epart
from epart import dossier_body, wait_for


def test_every_object_route_refuses_another_organisations_ids(stack, partner, instructor,
                                                              other_org, admin):
    """A dossier of the PASS (caisse 171) tried on every route by a partner of
    another organisation and an instructor of another caisse: always 404."""
    r = partner.post("/v1/dossiers", dossier_body("puma"))
    did = r.json["id"]
    wait_for(lambda: stack.psql("SELECT count(*) FROM dossiers WHERE id='%s'" % did) == "1")
    sig = partner.post("/v1/signalements", {
        "person": {"last_name": "A", "first_names": ["B"], "birth_date": "1990-01-01"},
        "reasons": ["autre"], "parcours": "aidants",
        "consent": {"obtained_on": "2026-11-20", "informed": True}}).json["id"]
    wait_for(lambda: stack.psql("SELECT count(*) FROM requests WHERE id='%s'" % sig) == "1")
    intruders = [stack.client(epart.partner_token(other_org["id"])),
                 stack.client(epart.instructor_token("751"))]
    piece = {"pieces": [{"kind": "autre", "filename": "a.pdf", "sha256": "d" * 64, "size": 1}]}
    for who in intruders:
        for method, path, body in [
            ("GET", "/v1/dossiers/%s" % did, None),
            ("GET", "/v1/dossiers/%s/messages" % did, None),
            ("POST", "/v1/dossiers/%s/messages" % did, {"body": "x"}),
            ("GET", "/v1/dossiers/%s/attestation-depot" % did, None),
            ("POST", "/v1/dossiers/%s/transmit" % did, {}),
            ("POST", "/v1/dossiers/%s/pieces" % did, piece),
            ("POST", "/v1/dossiers/%s/transitions" % did, {"action": "start_instruction"}),
            ("GET", "/v1/signalements/%s" % sig, None),
            ("POST", "/v1/signalements/%s/transitions" % sig, {"action": "pris_en_charge"}),
            ("GET", "/v1/organisations/%s" % partner_org_id(stack, partner), None),
        ]:
            r = who.request(method, path, body=body)
            assert r.status in (403, 404), (method, path, r)
            if method == "GET" or "transitions" in path and who is intruders[1]:
                assert r.status == 404, (method, path, r)
    # nothing leaked or changed
    d = partner.get("/v1/dossiers/" + did).json
    assert d["status"] == "recu" and len(d["history"]) == 1


def partner_org_id(stack, client):
    return json.loads(epart.base64.urlsafe_b64decode(
        client.token.split(".")[1] + "==").decode())["org"]


def test_short_jwt_secret_refused_at_start(stack):
    env = dict(stack.env)
    env["EPART_JWT_SECRET"] = "too-short-secret"
    env["EPART_HTTP_PORT"] = str(epart.free_port())
    p = subprocess.run([os.path.join(stack.bin, "epart-api")], env=env, capture_output=True,
                       text=True, timeout=20)
    assert p.returncode != 0 and "256 bits" in p.stderr
    p = subprocess.run([os.path.join(stack.bin, "epart-worker")], env=env, capture_output=True,
                       text=True, timeout=20)
    assert p.returncode != 0


def test_token_defects(stack, pass_org):
    c = stack.client()
    org = pass_org["id"]
    now = int(time.time())
    good = epart.partner_token(org)
    head, claims, sig = good.split(".")
    flipped = sig[:-2] + ("A" if sig[-2] != "A" else "B") + sig[-1]
    for tok in [
        head + "." + claims + "." + flipped,
        head + "." + claims + ".",
        head + "." + claims,
        epart.make_token(header={"alg": "none"}, role="partner", org=org).rsplit(".", 1)[0] + ".",
        epart.make_token(header={"typ": "JWT"}, role="partner", org=org),
        epart.partner_token(org, nbf=now + 120),
        epart.partner_token(org, iat=now + 3600),
        epart.partner_token(org, exp=now - 31),
        epart.make_token(claims={"iss": "epart", "aud": "epart-api", "sub": "x", "iat": now,
                                 "role": "partner", "org": org}),  # no exp
        epart.make_token(role="partner", org="not-a-uuid"),
        epart.make_token(role="instructor"),
        "Bearer " + good,
        good + "x" * 9000,
    ]:
        assert c.get("/v1/dossiers", token=tok).status == 401, tok[:60]
    assert c.get("/v1/dossiers", token=epart.partner_token(org, exp=now - 20)).status == 200
    r = c.get("/v1/dossiers", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert r.status == 401 and r.header("WWW-Authenticate")


def test_resource_limits(stack, partner):
    deep = b'{"a":' * 33 + b"1" + b"}" * 33
    assert partner.post("/v1/dossiers", raw=deep).status == 400
    shallow = b'{"a":' * 30 + b"1" + b"}" * 30
    assert partner.post("/v1/dossiers", raw=shallow).status == 422
    many = json.dumps({"k%d" % i: i for i in range(20000)}).encode()
    r = partner.post("/v1/dossiers", raw=many)
    assert r.status in (413, 422) and len(r.body) < 200000
    b = dossier_body("puma")
    b["applicant"]["first_names"] = ["A"] * 5000
    assert partner.post("/v1/dossiers", b).status == 422
    r = partner.post("/v1/dossiers", raw=b"\xff\xfe{}")
    assert r.status == 400
    r = partner.post("/v1/dossiers", raw=b'{"a":"\\u0000"}')
    assert r.status in (400, 422)


def test_slow_clients_do_not_block_others(stack, partner):
    """Clients that open connections and send half a request hold nothing: the
    server keeps answering others, and drops the idle ones after its timeout."""
    socks = []
    for _ in range(50):
        s = socket.create_connection(("127.0.0.1", stack.port))
        s.sendall(b"POST /v1/dossiers HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
        socks.append(s)
    t0 = time.time()
    assert partner.get("/healthz").status == 200
    assert partner.post("/v1/dossiers", dossier_body("puma")).status == 202
    assert time.time() - t0 < 2
    for s in socks:
        s.close()


def test_mass_assignment_refused(partner, admin):
    for field, value in [("status", "accorde"), ("org", str(uuid.uuid4())), ("id", "x"),
                         ("reference", "EP-1"), ("version", 7), ("received_at", "2020-01-01")]:
        b = dossier_body("puma")
        b[field] = value
        r = partner.post("/v1/dossiers", b)
        assert r.status == 422, (field, r)
        assert field in {f for f, _ in r.error_codes()}
    org = admin.post("/v1/organisations", epart.organisation_body()).json
    r = admin.patch("/v1/organisations/" + org["id"], {"id": str(uuid.uuid4())})
    assert r.status == 422
    r = admin.patch("/v1/organisations/" + org["id"], {"version": 99})
    assert r.status == 422


def test_rate_limit_per_organisation():
    s = epart.Stack(workers=0, extra_env={"EPART_RATE_LIMIT": "5", "EPART_RATE_BURST": "10"})
    s.start()
    try:
        admin = s.client(epart.admin_token())
        a = admin.post("/v1/organisations", epart.organisation_body()).json
        b = admin.post("/v1/organisations", epart.organisation_body()).json
        ca = s.client(epart.partner_token(a["id"]))
        cb = s.client(epart.partner_token(b["id"]))
        codes = [ca.get("/v1/dossiers").status for _ in range(30)]
        assert codes.count(429) >= 10 and codes[0] == 200
        r = ca.get("/v1/dossiers")
        assert r.status == 429 and int(r.header("Retry-After")) >= 1
        assert r.header("Content-Type") == "application/problem+json"
        assert cb.get("/v1/dossiers").status == 200  # another organisation is not affected
    finally:
        assert not s.stop()


def test_rate_limit_per_agent():
    """Instructors and administrators are limited too (issue 9, finding 11),
    each agent in its own bucket (EPART_RATE_LIMIT_AGENT), apart from the
    organisations' (here unlimited)."""
    s = epart.Stack(workers=0, extra_env={"EPART_RATE_LIMIT": "0",
                                          "EPART_RATE_LIMIT_AGENT": "5",
                                          "EPART_RATE_BURST_AGENT": "10"})
    s.start()
    try:
        admin = s.client(epart.admin_token(sub="admin-rate"))
        org = admin.post("/v1/organisations", epart.organisation_body()).json
        partner = s.client(epart.partner_token(org["id"]))
        one = s.client(epart.instructor_token("171", sub="instr:a"))
        two = s.client(epart.instructor_token("171", sub="instr:b"))
        codes = [one.get("/v1/dossiers").status for _ in range(30)]
        assert codes[0] == 200 and codes.count(429) >= 10, codes
        r = one.get("/v1/dossiers")
        assert r.status == 429 and int(r.header("Retry-After")) >= 1
        assert r.header("Content-Type") == "application/problem+json"
        # another instructor of the same caisse, the partner: not affected
        assert two.get("/v1/dossiers").status == 200
        assert [partner.get("/v1/dossiers").status for _ in range(30)].count(429) == 0
        codes = [admin.get("/v1/organisations").status for _ in range(30)]
        assert codes.count(429) >= 10, codes
        # the same sub under another role is another agent
        assert s.client(epart.admin_token(sub="instr:a")).get("/v1/organisations").status == 200
    finally:
        assert not s.stop()


def test_test_clock_absent_in_production():
    """Without EPART_TEST_CLOCK=1 the clock paths do not exist, for anyone."""
    s = epart.Stack(workers=0, extra_env={"EPART_TEST_CLOCK": "0"}).start()
    try:
        admin = s.client(epart.admin_token())
        assert admin.get("/v1/admin/clock").status == 404
        assert admin.put("/v1/admin/clock", {"now": "2030-01-01T00:00:00Z"}).status == 404
        assert s.client().get("/v1/admin/clock").status == 404
        paths = s.client().get("/v1/openapi.json").json["paths"]
        assert "/v1/admin/clock" not in paths
    finally:
        assert not s.stop()


def test_a_cached_token_still_expires(stack, pass_org):
    """Tokens verified once are remembered by the HTTP threads; their expiry is
    still checked on every request against the real clock (30 s leeway)."""
    tok = epart.partner_token(pass_org["id"], exp=int(time.time()) - 28)
    c = stack.client(tok)
    assert c.get("/v1/dossiers?limit=1").status == 200
    assert c.get("/v1/dossiers?limit=1").status == 200
    time.sleep(3.2)
    assert c.get("/v1/dossiers?limit=1").status == 401
