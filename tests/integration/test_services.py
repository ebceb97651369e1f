"""The other Espace Partenaires services (SPEC §8) over real HTTP:
signalements, rendez-vous, document requests and partnership messages."""
import time
import uuid

import epart
from epart import wait_for

PERSON = {"last_name": "MARTIN", "first_names": ["Paul"], "birth_date": "1975-05-12",
          "phone": "0600000001"}


def signalement():
    return {"person": dict(PERSON), "reasons": ["sans_complementaire", "avance_de_frais"],
            "parcours": "renoncement_soins",
            "consent": {"obtained_on": "2026-11-20", "informed": True}}


def persisted(stack, rid):
    return wait_for(lambda: stack.psql("SELECT count(*) FROM requests WHERE id='%s'" % rid)
                    == "1")


def test_signalement_life(stack, admin, partner, instructor, other_org):
    admin.put("/v1/admin/clock", {"now": "2026-11-23T09:00:00Z"})
    r = partner.post("/v1/signalements", signalement())
    assert r.status == 202, r
    assert r.json["status"] == "recu" and r.json["reference"].startswith("SG-20261123-")
    sid = r.json["id"]
    g = partner.get(r.header("Location"))
    assert g.status == 200 and g.json["status"] == "recu"
    persisted(stack, sid)
    d = partner.get("/v1/signalements/" + sid).json
    assert d["parcours"] == "renoncement_soins" and d["person"]["last_name"] == "MARTIN"
    clock = d["deadlines"][0]
    assert clock["clock"] == "prise_en_charge" and clock["due_at"] == "2026-11-25T09:00:00Z"
    # scope
    intruder = stack.client(epart.partner_token(other_org["id"]))
    assert intruder.get("/v1/signalements/" + sid).status == 404
    assert stack.client(epart.instructor_token("751")).get("/v1/signalements/" + sid).status \
        == 404
    assert sid not in [x["id"] for x in intruder.get("/v1/signalements").json["items"]]
    # transitions
    path = "/v1/signalements/%s/transitions" % sid
    assert partner.post(path, {"action": "pris_en_charge"}).status == 403
    assert instructor.post(path, {"action": "soins_realises"}).status == 409
    assert instructor.post(path, {"action": "vole"}).status == 422
    r = instructor.post(path, {"action": "pris_en_charge", "comment": "Appel le 23/11"})
    assert r.status == 200 and r.json["status"] == "pris_en_charge"
    assert r.json["deadlines"][0]["state"] == "met"
    assert instructor.post(path, {"action": "en_cours"}).json["status"] == "en_cours"
    r = instructor.post(path, {"action": "soins_realises"})
    assert r.status == 200
    assert [h["to"] for h in r.json["history"]] == ["recu", "pris_en_charge", "en_cours",
                                                    "soins_realises"]
    assert instructor.post(path, {"action": "abandon"}).status == 409
    listed = instructor.get("/v1/signalements?status=soins_realises&limit=500").json["items"]
    assert sid in [x["id"] for x in listed]


def test_signalement_validation(partner):
    b = signalement()
    b["parcours"] = "inconnu"
    b["reasons"] = ["pas_une_raison"]
    del b["consent"]
    r = partner.post("/v1/signalements", b)
    assert r.status == 422
    fields = {f for f, _ in r.error_codes()}
    assert {"parcours", "reasons[0]", "consent"} <= fields, r.error_codes()


def test_signalement_48h_breach(stack, admin, partner):
    admin.put("/v1/admin/clock", {"now": "2026-11-23T09:00:00Z"})
    sid = partner.post("/v1/signalements", signalement()).json["id"]
    persisted(stack, sid)
    admin.put("/v1/admin/clock", {"now": "2026-11-24T21:00:00Z"})  # due - 12 h
    assert wait_for(lambda: [a["level"] for a in partner.get("/v1/alerts?limit=500").json["items"]
                             if a["object"]["id"] == sid] == ["warning"], timeout=10)
    admin.put("/v1/admin/clock", {"now": "2026-11-25T09:00:00Z"})
    assert wait_for(lambda: "breach" in [a["level"] for a in
                                         partner.get("/v1/alerts?limit=500").json["items"]
                                         if a["object"]["id"] == sid], timeout=10)
    a = [x for x in partner.get("/v1/alerts?level=breach&limit=500").json["items"]
         if x["object"]["id"] == sid][0]
    assert a["object"]["type"] == "signalement" and a["clock"] == "prise_en_charge"
    admin.put("/v1/admin/clock", {"now": "2026-11-23T09:00:00Z"})


def test_rendez_vous_and_document_requests(stack, admin, partner, instructor):
    admin.put("/v1/admin/clock", {"now": "2026-11-23T09:00:00Z"})
    r = partner.post("/v1/rendez-vous", {
        "person": dict(PERSON), "site": "Accueil CPAM La Rochelle",
        "reason": "Ouverture de droits", "availability": [
            "mardi matin", {"from": "2026-11-25T08:00:00Z", "to": "2026-11-25T10:00:00Z"}]})
    assert r.status == 202, r
    rid = r.json["id"]
    assert r.json["status"] == "demande"
    persisted(stack, rid)
    d = partner.get("/v1/rendez-vous/" + rid).json
    assert d["deadlines"][0]["clock"] == "rappel"
    assert d["deadlines"][0]["due_at"] == "2026-11-24T09:00:00Z"
    path = "/v1/rendez-vous/%s/transitions" % rid
    for to in ["rappele", "planifie", "honore"]:
        assert instructor.post(path, {"action": to}).status == 200
    bad = partner.post("/v1/rendez-vous", {"person": dict(PERSON), "site": "x", "reason": "y",
                                           "availability": [{"from": "2026-11-25T10:00:00Z",
                                                             "to": "2026-11-25T08:00:00Z"}]})
    assert bad.status == 422
    r = partner.post("/v1/demandes-document", {"person": dict(PERSON),
                                               "document": "attestation_droits",
                                               "channel": "courrier"})
    assert r.status == 202, r
    did = r.json["id"]
    persisted(stack, did)
    path = "/v1/demandes-document/%s/transitions" % did
    assert instructor.post(path, {"action": "planifie"}).status == 422
    assert instructor.post(path, {"action": "envoye"}).json["status"] == "envoye"
    assert instructor.post(path, {"action": "refuse"}).status == 409
    assert partner.post("/v1/demandes-document", {"person": dict(PERSON)}).status == 422


def test_partnership_messages(stack, partner, instructor, pass_org, other_org, admin):
    r = partner.post("/v1/messages", {"subject": "Comité de pilotage",
                                      "body": "Proposition de date : 12 décembre."})
    assert r.status == 201, r
    assert r.header("Location") == "/v1/messages/" + r.json["id"]
    r = instructor.post("/v1/messages", {"org": pass_org["id"], "body": "Date retenue."})
    assert r.status == 201
    assert instructor.post("/v1/messages", {"body": "sans org"}).status == 422
    assert instructor.post("/v1/messages", {"org": other_org["id"], "body": "x"}).status == 404
    assert instructor.post("/v1/messages", {"org": str(uuid.uuid4()), "body": "x"}).status == 404
    mine = partner.get("/v1/messages").json["items"]
    assert [m["body"] for m in mine][:2] == ["Date retenue.", "Proposition de date : 12 décembre."]
    assert stack.client(epart.partner_token(other_org["id"])).get("/v1/messages") \
        .json["items"] == []
    assert partner.post("/v1/messages", {"body": ""}).status == 422
    assert partner.post("/v1/messages", {"body": "x", "org": other_org["id"]}).status == 422


def test_request_idempotency_key_reused_with_invalid_body(partner):
    key = "idem-" + uuid.uuid4().hex
    r1 = partner.post("/v1/signalements", signalement(), headers={"Idempotency-Key": key})
    assert r1.status == 202, r1
    r2 = partner.post("/v1/signalements", {"reasons": ["inconnu"]},
                      headers={"Idempotency-Key": key})
    assert r2.status == 422
    assert ("Idempotency-Key", "idempotency_key_reused") in r2.error_codes()
    r3 = partner.post("/v1/signalements", signalement(), headers={"Idempotency-Key": key})
    assert r3.status == 202 and r3.json["id"] == r1.json["id"]
