"""Agents (SPEC §13): POST/GET/PATCH/DELETE /v1/agents, administrators only —
who may sign in through the OpenID Connect provider, with which role and scope.
Validation with hostile input, uniqueness, If-Match, Idempotency-Key, and the
audit journal."""
import uuid

import pytest

import epart
from epart import wait_for


def email():
    return "agent-%s@example.org" % uuid.uuid4().hex[:10]


def test_create_read_list_patch_delete(admin, pass_org):
    body = {"email": email(), "name": "Camille Martin", "role": "partner", "org": pass_org["id"]}
    r = admin.post("/v1/agents", body)
    assert r.status == 201, r
    a = r.json
    assert r.header("Location") == "/v1/agents/" + a["id"]
    assert r.header("ETag") == '"1"'
    assert set(a) >= {"id", "issuer", "sub", "email", "role", "org", "caisse", "active"}
    assert a["issuer"] is None and a["sub"] is None and a["caisse"] is None
    assert a["active"] is True and a["org"] == pass_org["id"] and a["version"] == 1
    g = admin.get("/v1/agents/" + a["id"])
    assert g.status == 200 and g.json == a
    lst = admin.get("/v1/agents?role=partner&limit=500")
    assert lst.status == 200 and a["id"] in [x["id"] for x in lst.json["items"]]
    by_mail = admin.get("/v1/agents?email=" + body["email"].upper())
    assert [x["id"] for x in by_mail.json["items"]] == [a["id"]]
    # a role change brings its scope along, in one merge patch
    p = admin.patch("/v1/agents/" + a["id"], {"role": "instructor", "org": None, "caisse": "171"},
                    headers={"If-Match": '"1"'})
    assert p.status == 200, p
    assert p.json["role"] == "instructor" and p.json["caisse"] == "171" and p.json["org"] is None
    assert p.json["version"] == 2
    stale = admin.patch("/v1/agents/" + a["id"], {"active": False}, headers={"If-Match": '"1"'})
    assert stale.status == 412
    p = admin.patch("/v1/agents/" + a["id"], {"active": False},
                    content_type="application/merge-patch+json")
    assert p.status == 200 and p.json["active"] is False
    d = admin.delete("/v1/agents/" + a["id"], headers={"If-Match": '"1"'})
    assert d.status == 412
    d = admin.delete("/v1/agents/" + a["id"])
    assert d.status == 204
    assert admin.get("/v1/agents/" + a["id"]).status == 404
    assert admin.delete("/v1/agents/" + a["id"]).status == 404


def test_roles_and_scopes(admin, pass_org):
    r = admin.post("/v1/agents", {"email": email(), "role": "instructor", "caisse": "171"})
    assert r.status == 201, r
    r = admin.post("/v1/agents", {"email": email(), "role": "admin"})
    assert r.status == 201, r
    assert r.json["org"] is None and r.json["caisse"] is None
    cases = [
        ({"email": email(), "role": "partner"}, ("org", "required")),
        ({"email": email(), "role": "partner", "org": pass_org["id"], "caisse": "171"},
         ("caisse", "not_allowed")),
        ({"email": email(), "role": "instructor"}, ("caisse", "required")),
        ({"email": email(), "role": "instructor", "caisse": "17"}, ("caisse", "invalid_format")),
        ({"email": email(), "role": "instructor", "caisse": "171", "org": pass_org["id"]},
         ("org", "not_allowed")),
        ({"email": email(), "role": "admin", "caisse": "171"}, ("caisse", "not_allowed")),
        ({"email": email(), "role": "partner", "org": str(uuid.uuid4())},
         ("org", "unknown_organisation")),
        ({"email": email(), "role": "root"}, ("role", "invalid_enum")),
    ]
    for body, err in cases:
        r = admin.post("/v1/agents", body)
        assert r.status == 422, (body, r)
        assert err in r.error_codes(), (body, r.json)


def test_hostile_bodies(admin, stack):
    cases = [
        ({}, [("email", "required"), ("role", "required")]),
        ({"email": "pas-une-adresse", "role": "admin"}, [("email", "invalid_format")]),
        ({"email": "x@example.org' OR '1'='1", "role": "admin"}, [("email", "invalid_format")]),
        ({"email": 12, "role": ["admin"], "active": "true"},
         [("email", "invalid_type"), ("role", "invalid_type"), ("active", "invalid_type")]),
        ({"email": email(), "role": "admin", "id": str(uuid.uuid4()), "version": 9},
         [("id", "read_only"), ("version", "read_only")]),
        ({"email": email(), "role": "admin", "password": "x"}, [("password", "unknown_field")]),
        ({"email": email(), "role": "admin", "name": "x" * 201}, [("name", "too_long")]),
        ({"email": email(), "role": "admin", "name": "a\u0007b"}, [("name", "invalid_format")]),
        ({"email": email(), "role": "admin", "issuer": "http://idp.example.org", "sub": "u1"},
         [("issuer", "invalid_format")]),
        ({"email": email(), "role": "admin", "issuer": "https://idp.example.org"},
         [("sub", "required")]),
        ({"email": email(), "role": "admin", "sub": "u1"}, [("issuer", "required")]),
        ({"email": email(), "role": "admin", "issuer": "https://a@idp.example.org", "sub": "u"},
         [("issuer", "invalid_format")]),
        ({"email": email(), "role": "admin", "issuer": "https://idp.example.org",
          "sub": "a b"}, [("sub", "invalid_format")]),
    ]
    for body, errs in cases:
        r = admin.post("/v1/agents", body)
        assert r.status == 422, (body, r)
        for e in errs:
            assert e in r.error_codes(), (body, r.json)
    assert admin.post("/v1/agents", raw=b"{", content_type="application/json").status == 400
    assert admin.post("/v1/agents", raw=b"[]").status == 400
    assert admin.post("/v1/agents", raw=b'{"email":"a@b.fr"}',
                      content_type="text/plain").status == 415
    assert admin.post("/v1/agents", raw=b"[" * 100 + b"]" * 100).status == 400
    big = b'{"name":"' + b"a" * (2 * 1024 * 1024) + b'"}'
    assert admin.post("/v1/agents", raw=big).status == 413
    # loopback http issuers are allowed (a provider on this machine)
    r = admin.post("/v1/agents", {"email": email(), "role": "admin",
                                  "issuer": "http://127.0.0.1:9000", "sub": "loop"})
    assert r.status == 201, r
    # nothing half-done was stored by the refusals
    assert stack.psql("SELECT count(*) FROM agents WHERE email LIKE '%OR%'") == "0"


def test_unique_email_and_identity(admin):
    e = email()
    r = admin.post("/v1/agents", {"email": e, "role": "admin"})
    assert r.status == 201
    dup = admin.post("/v1/agents", {"email": e.upper(), "role": "admin"})
    assert dup.status == 422 and ("email", "already_used") in dup.error_codes(), dup
    ident = {"issuer": "https://idp.example.org", "sub": "same-" + uuid.uuid4().hex}
    r1 = admin.post("/v1/agents", dict(ident, email=email(), role="admin"))
    assert r1.status == 201
    r2 = admin.post("/v1/agents", dict(ident, email=email(), role="admin"))
    assert r2.status == 422 and ("sub", "already_used") in r2.error_codes(), r2
    p = admin.patch("/v1/agents/" + r1.json["id"], {"email": e})
    assert p.status == 422 and ("email", "already_used") in p.error_codes(), p
    # clearing the identity (the person's account changed) takes both members
    p = admin.patch("/v1/agents/" + r1.json["id"], {"sub": None})
    assert p.status == 422 and ("issuer", "required") not in p.error_codes()
    assert ("sub", "required") in p.error_codes(), p
    p = admin.patch("/v1/agents/" + r1.json["id"], {"sub": None, "issuer": None})
    assert p.status == 200 and p.json["sub"] is None, p


def test_patch_hostile(admin):
    a = admin.post("/v1/agents", {"email": email(), "role": "admin"}).json
    for body, err in [({"role": None}, ("role", "required")),
                      ({"email": None}, ("email", "required")),
                      ({"id": "x"}, ("id", "read_only")),
                      ({"active": 1}, ("active", "invalid_type")),
                      ({"role": "partner"}, ("org", "required"))]:
        r = admin.patch("/v1/agents/" + a["id"], body)
        assert r.status == 422 and err in r.error_codes(), (body, r)
    assert admin.patch("/v1/agents/" + a["id"], raw=b"[1]").status == 400
    assert admin.patch("/v1/agents/" + a["id"], {}, headers={"If-Match": "x"}).status == 400
    assert admin.get("/v1/agents/" + a["id"]).json["version"] == 1
    for bad in ["not-a-uuid", "'; DROP TABLE agents; --", str(uuid.uuid4())]:
        assert admin.get("/v1/agents/" + bad.replace(" ", "%20")).status == 404
        assert admin.patch("/v1/agents/" + bad.replace(" ", "%20"), {}).status == 404


def test_list_parameters(admin):
    for q in ["role=root", "active=yes", "limit=0", "limit=abc", "cursor=%%%"]:
        r = admin.get("/v1/agents?" + q)
        assert r.status == 422, (q, r)
    # keyset pages walk every agent exactly once
    for _ in range(3):
        admin.post("/v1/agents", {"email": email(), "role": "admin"})
    seen, cursor = [], None
    while True:
        r = admin.get("/v1/agents?limit=2" + ("&cursor=" + cursor if cursor else ""))
        assert r.status == 200
        seen += [x["id"] for x in r.json["items"]]
        cursor = r.json["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) >= 3


def test_only_administrators(stack, pass_org):
    partner = stack.client(epart.partner_token(pass_org["id"]))
    instructor = stack.client(epart.instructor_token("171"))
    for c in (partner, instructor):
        assert c.get("/v1/agents").status == 403
        assert c.post("/v1/agents", {"email": email(), "role": "admin"}).status == 403
        assert c.patch("/v1/agents/" + str(uuid.uuid4()), {"role": "admin"}).status == 403
        assert c.delete("/v1/agents/" + str(uuid.uuid4())).status == 403
    assert stack.client().get("/v1/agents").status == 401


def test_idempotent_creation(admin):
    body = {"email": email(), "role": "admin"}
    key = {"Idempotency-Key": "agent-" + uuid.uuid4().hex}
    r1 = admin.post("/v1/agents", body, headers=key)
    r2 = admin.post("/v1/agents", body, headers=key)
    assert r1.status == r2.status == 201 and r1.json["id"] == r2.json["id"]
    r3 = admin.post("/v1/agents", dict(body, name="Autre"), headers=key)
    assert r3.status == 422 and ("Idempotency-Key" in str(r3.json) or
                                 "idempotency_key_reused" in str(r3.json))


def test_writes_are_journaled(stack, admin):
    sub = "admin-agents-" + uuid.uuid4().hex[:6]
    me = stack.client(epart.admin_token(sub=sub))
    a = me.post("/v1/agents", {"email": email(), "role": "admin"}).json
    me.patch("/v1/agents/" + a["id"], {"name": "Nom"})
    me.delete("/v1/agents/" + a["id"])

    def actions():
        rows = admin.get("/v1/audit?sub=%s&object_id=%s" % (sub, a["id"])).json["items"]
        return {x["action"] for x in rows if x["object_type"] == "agent"}
    assert wait_for(lambda: actions() >= {"create", "update", "delete"}), actions()


def test_unknown_id_is_404_before_body_and_if_match(admin, pass_org):
    """SPEC §2's order on the routes whose row loads the object first (.load):
    an id not found is a 404 whatever the body and the If-Match header; found,
    the body (400/415) and then If-Match (400) answer."""
    nobody = str(uuid.uuid4())
    for path in ("/v1/agents/", "/v1/organisations/", "/v1/webhooks/"):
        assert admin.patch(path + nobody, raw=b"{oops").status == 404, path
        assert admin.patch(path + nobody, raw=b"{}", content_type="text/plain").status == 404
        assert admin.patch(path + nobody, {}, headers={"If-Match": "x"}).status == 404, path
    assert admin.delete("/v1/webhooks/" + nobody, headers={"If-Match": "x"}).status == 404
    assert admin.post("/v1/organisations/%s/clients" % nobody, raw=b"{oops").status == 404
    org = "/v1/organisations/" + pass_org["id"]
    assert admin.patch(org, raw=b"{oops").status == 400
    assert admin.patch(org, raw=b"{}", content_type="text/plain").status == 415
    r = admin.patch(org, {"name": 7}, headers={"If-Match": "x"})
    assert r.status == 400 and "If-Match" in r.json["detail"], r
    assert admin.post(org + "/clients", raw=b"{oops").status == 400
    assert admin.post(org + "/clients", {"nom": "x"}).status == 422
