"""The dossier's life over real HTTP (SPEC §4): instruction, pieces, decisions
with computed rights, the AME deposit and its attestation, messages."""
import html as html_lib
import threading
import uuid

import epart
from epart import dossier_body, wait_for

STATUSES_FROM = {
    "start_instruction": {"recu"},
    "request_pieces": {"en_instruction"},
    "decide": {"en_instruction"},
    "close": {"depose", "recu", "en_instruction", "pieces_demandees"},
}
BODIES = {
    "start_instruction": {"action": "start_instruction"},
    "request_pieces": {"action": "request_pieces", "pieces": ["justificatif_ressources"],
                       "message": "Merci de fournir un avis d'imposition."},
    "decide": {"action": "decide", "decision": "refus", "motif": "Ressources trop élevées"},
    "close": {"action": "close", "reason": "Demande retirée"},
}


def persisted(stack, did):
    return wait_for(lambda: stack.psql("SELECT status FROM dossiers WHERE id = '%s'" % did))


def submit(stack, partner, body=None):
    r = partner.post("/v1/dossiers", body or dossier_body("puma"))
    assert r.status == 202, r
    persisted(stack, r.json["id"])
    return r.json["id"]


def transition(instructor, did, action, **kw):
    body = dict(BODIES[action])
    body.update(kw.pop("body", {}))
    return instructor.post("/v1/dossiers/%s/transitions" % did, body, **kw)


def bring_to(stack, partner, instructor, status):
    """A fresh dossier in the given status."""
    body = dossier_body("puma", transmit=(status != "depose"))
    did = submit(stack, partner, body)
    path = {"depose": [], "recu": [], "en_instruction": ["start_instruction"],
            "pieces_demandees": ["start_instruction", "request_pieces"],
            "refuse": ["start_instruction", "decide"],
            "sans_suite": ["close"]}[status]
    for action in path:
        assert transition(instructor, did, action).status == 200
    return did


def test_every_transition_from_every_status(stack, partner, instructor):
    for status in ["depose", "recu", "en_instruction", "pieces_demandees", "refuse",
                   "sans_suite"]:
        for action, allowed in STATUSES_FROM.items():
            did = bring_to(stack, partner, instructor, status)
            r = transition(instructor, did, action)
            if status in allowed:
                assert r.status == 200, (status, action, r)
                assert r.json["status"] != status
            else:
                assert r.status == 409, (status, action, r)
                assert instructor.get("/v1/dossiers/" + did).json["status"] == status


def test_transition_roles_and_scope(stack, partner, instructor, admin):
    did = submit(stack, partner)
    assert transition(partner, did, "start_instruction").status == 403
    assert transition(admin, did, "start_instruction").status == 403
    other = stack.client(epart.instructor_token("751"))
    assert transition(other, did, "start_instruction").status == 404
    assert transition(instructor, str(uuid.uuid4()), "start_instruction").status == 404
    # order of checks: scope (404) before the body (400/415)
    assert other.post("/v1/dossiers/%s/transitions" % did, raw=b"{oops").status == 404
    assert instructor.post("/v1/dossiers/%s/transitions" % did, raw=b"{oops").status == 400
    r = instructor.post("/v1/dossiers/%s/transitions" % did, {"action": "fly"})
    assert r.status == 422
    r = instructor.post("/v1/dossiers/%s/transitions" % did,
                        {"action": "start_instruction", "status": "accorde"})
    assert r.status == 422
    assert instructor.get("/v1/dossiers/" + did).json["status"] == "recu"


def test_if_match_and_concurrency(stack, partner, instructor):
    did = submit(stack, partner)
    d = instructor.get("/v1/dossiers/" + did)
    etag = d.header("ETag")
    r = transition(instructor, did, "start_instruction", headers={"If-Match": '"999"'})
    assert r.status == 412
    r = transition(instructor, did, "start_instruction", headers={"If-Match": etag})
    assert r.status == 200 and r.json["version"] == d.json["version"] + 1
    # two instructors decide at once: exactly one wins
    other = stack.client(epart.instructor_token("171", sub="second-instructeur"))
    etag = instructor.get("/v1/dossiers/" + did).header("ETag")
    results = []

    def act(client, decision):
        results.append(transition(client, did, "decide", headers={"If-Match": etag},
                                  body={"decision": decision, "motif": "x"}).status)

    threads = [threading.Thread(target=act, args=(instructor, "refus")),
               threading.Thread(target=act, args=(other, "refus"))]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(results)[0] == 200 and sorted(results)[1] in (409, 412), results
    hist = instructor.get("/v1/dossiers/" + did).json["history"]
    assert [h["to"] for h in hist].count("refuse") == 1


def test_pieces_round_trip_and_decision_with_rights(stack, partner, instructor):
    epart.Client(stack.port, epart.admin_token()).put("/v1/admin/clock",
                                                       {"now": "2026-11-23T09:00:00Z"})
    did = submit(stack, partner)
    assert transition(instructor, did, "start_instruction").status == 200
    # pieces sent while none are asked: 409 at once, nothing queued
    pieces = {"pieces": [{"kind": "justificatif_ressources", "filename": "avis.pdf",
                          "sha256": "b" * 64, "size": 2048},
                         {"kind": "justificatif_domicile", "filename": "edf.pdf",
                          "sha256": "e" * 64, "size": 1024}]}
    before = instructor.get("/v1/dossiers/" + did).json["pre_instruction"]
    assert "justificatif_domicile" in before["missing_pieces"] and not before["complete"]
    assert partner.post("/v1/dossiers/%s/pieces" % did, pieces).status == 409
    r = transition(instructor, did, "request_pieces")
    assert r.status == 200 and r.json["status"] == "pieces_demandees"
    inst = [d for d in r.json["deadlines"] if d["clock"] == "instruction"][0]
    assert inst["state"] == "suspended"
    assert partner.post("/v1/dossiers/%s/pieces" % did, {"pieces": [{"kind": "x"}]}).status == 422
    r = partner.post("/v1/dossiers/%s/pieces" % did, pieces)
    assert r.status == 202, r
    assert wait_for(lambda: instructor.get("/v1/dossiers/" + did).json["status"]
                    == "en_instruction")
    d = instructor.get("/v1/dossiers/" + did).json
    assert any(p["kind"] == "justificatif_ressources" for p in d["pieces"])
    # the pre-instruction is run again with the pieces now on file
    assert d["pre_instruction"]["missing_pieces"] == [] and d["pre_instruction"]["complete"]
    r = transition(instructor, did, "decide", body={"decision": "accord", "motif": None})
    assert r.status == 200, r
    d = r.json
    assert d["status"] == "accorde"
    assert d["rights"]["start"] == d["received_on"] and d["rights"]["end"] is None
    assert d["decision"]["decision"] == "accord"
    assert d["decided_on"] == "2026-11-23"
    inst = [x for x in d["deadlines"] if x["clock"] == "instruction"][0]
    assert inst["state"] == "met"
    assert [h["to"] for h in d["history"]] == ["recu", "en_instruction", "pieces_demandees",
                                               "en_instruction", "accorde"]


def test_accord_against_simulation_needs_motif_and_rights(stack, partner, instructor):
    b = dossier_body("puma")
    b["situation"]["regular_stay"] = False  # ineligible for PUMa
    did = submit(stack, partner, b)
    assert transition(instructor, did, "start_instruction").status == 200
    r = transition(instructor, did, "decide", body={"decision": "accord", "motif": None})
    assert r.status == 422
    r = transition(instructor, did, "decide",
                   body={"decision": "accord", "motif": "Situation régularisée",
                         "rights": {"start": "2026-11-01", "end": None}})
    assert r.status == 200, r
    assert r.json["rights"]["override"] is True
    assert r.json["simulation"]["eligible"] is False


def test_ame_deposit_attestation_and_transmit(stack, partner, instructor):
    b = dossier_body("ame", first_request=True, deposited_on="2026-11-20", transmit=False)
    b["pieces"][0]["filename"] = "<img src=x onerror=alert(1)>.pdf"
    r = partner.post("/v1/dossiers", b)
    assert r.status == 202 and r.json["status"] == "depose"
    did = r.json["id"]
    g = partner.get("/v1/dossiers/" + did)
    assert g.status == 200 and g.json["status"] == "depose"
    persisted(stack, did)
    a = partner.get("/v1/dossiers/%s/attestation-depot" % did)
    assert a.status == 200 and a.header("Content-Type").startswith("text/html")
    html = a.body.decode()
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;.pdf" in html
    assert "20/11/2026" in html and "PASS de test" in html and "DUPONT" in html
    # for people, in words; and openable under the application's CSP: no style, no script
    text = html_lib.unescape(html)
    assert "Aide médicale de l'État (AME)" in text and "Pièce d'identité" in text
    assert "Déposé" in html and "<style" not in html and "<script" not in html
    assert "onclick" not in html
    d = partner.get("/v1/dossiers/" + did).json
    assert [x["clock"] for x in d["deadlines"]] == ["transmission"]
    assert transition(instructor, did, "start_instruction").status == 409
    t = partner.post("/v1/dossiers/%s/transmit" % did)
    assert t.status == 202, t
    assert wait_for(lambda: partner.get("/v1/dossiers/" + did).json["status"] == "recu")
    d = partner.get("/v1/dossiers/" + did).json
    clocks = {x["clock"]: x for x in d["deadlines"]}
    assert clocks["transmission"]["state"] == "met"
    assert clocks["instruction"]["state"] == "running"
    assert d["deposit_date"] == "2026-11-20"
    assert partner.post("/v1/dossiers/%s/transmit" % did).status == 409


def test_messages_in_order_and_scoped(stack, partner, instructor, other_org):
    did = submit(stack, partner)
    sent = []
    for i in range(6):
        who = partner if i % 2 == 0 else instructor
        r = who.post("/v1/dossiers/%s/messages" % did, {"body": "message %d" % i})
        assert r.status == 202, r
        sent.append(r.json["id"])
    assert wait_for(lambda: len(partner.get("/v1/dossiers/%s/messages" % did)
                                .json["items"]) == 6)
    items = partner.get("/v1/dossiers/%s/messages" % did).json["items"]
    assert [m["id"] for m in items] == sent
    assert [m["body"] for m in items] == ["message %d" % i for i in range(6)]
    assert items[1]["author"]["role"] == "instructor"
    intruder = stack.client(epart.partner_token(other_org["id"]))
    assert intruder.get("/v1/dossiers/%s/messages" % did).status == 404
    assert intruder.post("/v1/dossiers/%s/messages" % did, {"body": "x"}).status == 404
    assert partner.post("/v1/dossiers/%s/messages" % did, {"body": ""}).status == 422
    assert partner.post("/v1/dossiers/%s/messages" % did, {"text": "x"}).status == 422


def test_back_office_list(stack, partner, instructor):
    did = submit(stack, partner)
    submit(stack, partner)
    r = instructor.get("/v1/dossiers?status=recu&prestation=puma&sort=due&limit=500")
    assert r.status == 200
    assert did in [d["id"] for d in r.json["items"]]
    dues = [d["deadlines"][0]["due_at"] for d in r.json["items"] if d["deadlines"]]
    assert len(dues) >= 2 and dues == sorted(dues), dues
    assert all(d["status"] == "recu" for d in r.json["items"])
    assert instructor.get("/v1/dossiers?overdue=maybe").status == 422


def test_reused_key_with_an_invalid_body_on_database_thread_writes(stack, partner, instructor):
    """Transitions and the queued writes on a dossier validate before they look
    at the key: a key known for another request is still reported as reused
    (idem_set_invalid), and an unknown key with an invalid body only gets the
    body's own errors."""
    did = submit(stack, partner)
    key = "idem-" + uuid.uuid4().hex
    assert transition(instructor, did, "start_instruction",
                      headers={"Idempotency-Key": key}).status == 200
    r = instructor.post("/v1/dossiers/%s/transitions" % did, {"action": "zzz"},
                        headers={"Idempotency-Key": key})
    assert r.status == 422 and ("Idempotency-Key", "idempotency_key_reused") in r.error_codes()
    r = instructor.post("/v1/dossiers/%s/transitions" % did, {"action": "zzz"},
                        headers={"Idempotency-Key": "idem-" + uuid.uuid4().hex})
    assert r.status == 422 and ("action", "invalid_enum") in r.error_codes(), r
    mkey = "idem-" + uuid.uuid4().hex
    path = "/v1/dossiers/%s/messages" % did
    assert partner.post(path, {"body": "Bonjour"}, headers={"Idempotency-Key": mkey}).status == 202
    r = partner.post(path, {"body": 5}, headers={"Idempotency-Key": mkey})
    assert r.status == 422 and ("Idempotency-Key", "idempotency_key_reused") in r.error_codes()
    r = partner.post(path, {"body": 5}, headers={"Idempotency-Key": "idem-" + uuid.uuid4().hex})
    assert r.status == 422
    assert all(code != "idempotency_key_reused" for _, code in r.error_codes())
