"""API clients of partner software and the token endpoint (SPEC §3)."""
import json
import uuid

import epart
from epart import dossier_body


def test_client_credentials_flow(stack, admin, pass_org, org_factory):
    r = admin.post("/v1/organisations/%s/clients" % pass_org["id"], {"name": "Logiciel PASS"})
    assert r.status == 201, r
    cid, secret = r.json["client_id"], r.json["client_secret"]
    assert r.header("Location") and r.json["org"] == pass_org["id"]
    t = stack.client().post("/v1/auth/token", {"client_id": cid, "client_secret": secret})
    assert t.status == 200, t
    assert t.json["token_type"] == "Bearer" and t.json["expires_in"] > 0
    partner = stack.client(t.json["access_token"])
    assert partner.post("/v1/dossiers", dossier_body("puma")).status == 202
    claims = json.loads(epart.base64.urlsafe_b64decode(
        t.json["access_token"].split(".")[1] + "=="))
    assert claims["role"] == "partner" and claims["org"] == pass_org["id"]
    # the secret is never stored in clear
    stored = stack.psql("SELECT secret_hash FROM api_clients WHERE client_id = '%s'" % cid)
    assert secret not in stored and stored.startswith("pbkdf2-sha256$")
    for bad in [{"client_id": cid, "client_secret": secret + "x"},
                {"client_id": "epc_unknown", "client_secret": secret},
                {"client_id": cid, "client_secret": ""}]:
        assert stack.client().post("/v1/auth/token", bad).status == 401
    assert stack.client().post("/v1/auth/token", {"client_id": cid}).status == 422
    assert stack.client().post("/v1/auth/token", raw=b"client_id=x",
                               content_type="application/x-www-form-urlencoded").status == 415


def test_client_creation_is_admin_only_and_scoped(stack, admin, partner, instructor, pass_org):
    assert partner.post("/v1/organisations/%s/clients" % pass_org["id"], {}).status == 403
    assert instructor.post("/v1/organisations/%s/clients" % pass_org["id"], {}).status == 403
    assert admin.post("/v1/organisations/%s/clients" % uuid.uuid4(), {}).status == 404
    assert admin.post("/v1/organisations/%s/clients" % pass_org["id"],
                      {"role": "admin"}).status == 422


def test_organisation_crud(admin):
    r = admin.post("/v1/organisations", epart.organisation_body(siret="12345678901234"))
    assert r.status == 422 and ("siret", "invalid_siret") in r.error_codes()
    r = admin.post("/v1/organisations", epart.organisation_body(kind="boulangerie"))
    assert r.status == 422
    body = epart.organisation_body()
    del body["siret"]
    r = admin.post("/v1/organisations", body)
    assert r.status == 201 and r.json["siret"] is None
    org = r.json
    assert r.header("ETag") == '"1"' and r.header("Location") == "/v1/organisations/" + org["id"]
    assert org["convention"]["duration_months"] == 12
    r = admin.patch("/v1/organisations/" + org["id"], {"name": "Nouveau nom"},
                    headers={"If-Match": '"7"'})
    assert r.status == 412
    r = admin.patch("/v1/organisations/" + org["id"], {"ame_habilitation": True},
                    headers={"If-Match": '"1"'}, content_type="application/merge-patch+json")
    assert r.status == 200 and r.json["version"] == 2 and r.json["ame_habilitation"] is True


def test_organisations_are_read_within_their_scope(partner, instructor, pass_org, other_org):
    assert partner.get("/v1/organisations/" + pass_org["id"]).status == 200
    assert partner.get("/v1/organisations/" + other_org["id"]).status == 404
    assert instructor.get("/v1/organisations/" + other_org["id"]).status == 404
    assert [o["id"] for o in partner.get("/v1/organisations").json["items"]] == [pass_org["id"]]
    seen = instructor.get("/v1/organisations?limit=500").json["items"]
    # the caisse's own organisations are listed, and only they
    assert pass_org["id"] in [o["id"] for o in seen], seen
    assert other_org["id"] not in [o["id"] for o in seen], seen
    assert all(o["caisse"] == "171" for o in seen), seen
    assert partner.patch("/v1/organisations/" + pass_org["id"], {"name": "x"}).status == 403


def test_terminating_the_convention_stops_the_partner_at_once(stack, admin):
    o = admin.post("/v1/organisations", epart.organisation_body()).json
    c = stack.client(epart.partner_token(o["id"]))
    assert c.get("/v1/dossiers").status == 200
    conv = dict(o["convention"], terminated_on="2026-01-01")
    assert admin.patch("/v1/organisations/" + o["id"], {"convention": conv}).status == 200
    assert c.get("/v1/dossiers").status == 403
    assert c.post("/v1/dossiers", dossier_body("puma")).status == 403


def test_client_creation_key_reused_with_an_invalid_body(admin, pass_org):
    key = "idem-" + uuid.uuid4().hex
    path = "/v1/organisations/%s/clients" % pass_org["id"]
    r = admin.post(path, {"name": "Logiciel"}, headers={"Idempotency-Key": key})
    assert r.status == 201, r
    r = admin.post(path, {"name": "Logiciel", "bogus": 1}, headers={"Idempotency-Key": key})
    assert r.status == 422 and ("Idempotency-Key", "idempotency_key_reused") in r.error_codes()
    r = admin.post(path, {"name": "Logiciel", "bogus": 1},
                   headers={"Idempotency-Key": "idem-" + uuid.uuid4().hex})
    assert r.status == 422 and ("bogus", "unknown_field") in r.error_codes(), r
