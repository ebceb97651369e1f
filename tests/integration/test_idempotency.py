"""Idempotency-Key (SPEC §2, issue 9 findings 2, 3, 7 and 11) over real HTTP.

- The key is looked up before the status checks: a write retried after it was
  applied gets its first answer (same id), never a 409 — /transmit and /pieces
  (queued, applied by the worker), dossier transitions, §8 transitions.
- A record holds status, Location, ids and reference: never a person's data
  (name, NIR, phone, e-mail) nor a secret; a replay that shows a document reads
  it again (journaled), and a replayed creation of an API client or a webhook
  answers without its secret and says so.
- Records of different callers never collide, whatever their sub contains."""
import uuid

import pytest

import epart
from epart import dossier_body, wait_for


def with_key(first13):
    return first13 + "%02d" % (97 - int(first13) % 97)


NAME = "IDEMPOTENCEPERSONNE"
NIR = with_key("2800217300123")
PHONE = "0611223399"
EMAIL = "jeanne.idempotence@example.org"
PERSONAL = (NAME, NIR, PHONE, EMAIL)


def new_key():
    return "idem-" + uuid.uuid4().hex


def idem_values(stack, since=None):
    """Every idempotency record (and object index) in Redis, as text; with
    since (an earlier answer), only those written since, of which there must be
    one: a check over them would otherwise pass vacuously."""
    out = {}
    for k in stack.redis("--scan", "--pattern", "epart:idem*").split():
        t = stack.redis("TYPE", k).strip()
        out[k] = stack.redis("GET", k) if t == "string" else stack.redis("SMEMBERS", k)
    if since is not None:
        out = {k: v for k, v in out.items() if since.get(k) != v}
        assert out, "the request left no idempotency record to inspect"
    return out


def person_body(**over):
    b = dossier_body("puma", **over)
    b["applicant"].update({"last_name": NAME, "nir": NIR, "phone": PHONE, "email": EMAIL})
    return b


def status_of(stack, did):
    return stack.psql("SELECT status FROM dossiers WHERE id = '%s'" % did)


def submit(stack, partner, **over):
    r = partner.post("/v1/dossiers", person_body(**over))
    assert r.status == 202, r
    assert wait_for(lambda: status_of(stack, r.json["id"]) != "")
    return r.json["id"]


def act(instructor, did, body, **kw):
    return instructor.post("/v1/dossiers/%s/transitions" % did, body, **kw)


def audit_count(stack, sub, action, oid):
    return int(stack.psql("SELECT count(*) FROM audit_journal WHERE sub = '%s' AND action = '%s' "
                          "AND object_id = '%s'" % (sub, action, oid)))


def test_transmit_retried_after_the_worker_applied_it(stack, partner):
    did = submit(stack, partner, transmit=False)
    assert status_of(stack, did) == "depose"
    key = new_key()
    r1 = partner.post("/v1/dossiers/%s/transmit" % did, headers={"Idempotency-Key": key})
    assert r1.status == 202, r1
    assert wait_for(lambda: status_of(stack, did) == "recu")
    r2 = partner.post("/v1/dossiers/%s/transmit" % did, headers={"Idempotency-Key": key})
    assert r2.status == 202, r2
    assert r2.json == r1.json and r2.json["id"] == did
    assert r2.header("Location") == r1.header("Location")
    # without the key the status check still answers
    assert partner.post("/v1/dossiers/%s/transmit" % did).status == 409
    # another body under the same key is still a reused key, not a 409
    r3 = partner.post("/v1/dossiers/%s/transmit" % did, {"x": 1}, headers={"Idempotency-Key": key})
    assert r3.status == 422 and ("Idempotency-Key", "idempotency_key_reused") in r3.error_codes()


def test_pieces_retried_after_the_worker_applied_them(stack, partner, instructor):
    did = submit(stack, partner)
    assert act(instructor, did, {"action": "start_instruction"}).status == 200
    assert act(instructor, did, {"action": "request_pieces",
                                 "pieces": ["justificatif_ressources"]}).status == 200
    body = {"pieces": [{"kind": "justificatif_ressources", "filename": "avis.pdf",
                        "sha256": "b" * 64, "size": 1000}]}
    key = new_key()
    r1 = partner.post("/v1/dossiers/%s/pieces" % did, body, headers={"Idempotency-Key": key})
    assert r1.status == 202, r1
    assert wait_for(lambda: status_of(stack, did) == "en_instruction")
    r2 = partner.post("/v1/dossiers/%s/pieces" % did, body, headers={"Idempotency-Key": key})
    assert r2.status == 202 and r2.json == r1.json, r2
    assert partner.post("/v1/dossiers/%s/pieces" % did, body).status == 409


def test_dossier_transition_retried_after_it_moved(stack, partner):
    sub = "instr-" + uuid.uuid4().hex[:8]
    instructor = stack.client(epart.instructor_token("171", sub=sub))
    did = submit(stack, partner)
    key = new_key()
    before = idem_values(stack)
    r1 = act(instructor, did, {"action": "start_instruction"}, headers={"Idempotency-Key": key})
    assert r1.status == 200 and r1.json["status"] == "en_instruction", r1
    # the record of a transition holds no person's data (finding 3)
    values = idem_values(stack, since=before)
    for k, v in values.items():
        for secret in PERSONAL:
            assert secret not in v, (k, secret)
    reads = audit_count(stack, sub, "read", did)
    r2 = act(instructor, did, {"action": "start_instruction"}, headers={"Idempotency-Key": key})
    assert r2.status == 200, r2
    assert r2.json["id"] == did and r2.json["status"] == "en_instruction"
    assert r2.json["applicant"]["last_name"] == NAME  # the document, read again
    assert r2.header("ETag") == r1.header("ETag")
    # the read again is journaled like any read
    assert wait_for(lambda: audit_count(stack, sub, "read", did) == reads + 1)
    history = instructor.get("/v1/dossiers/" + did).json["history"]
    assert [h["to"] for h in history].count("en_instruction") == 1
    # moved on since: the replay shows the dossier as it is now, still 200
    assert act(instructor, did, {"action": "close", "reason": "Doublon"}).status == 200
    r3 = act(instructor, did, {"action": "start_instruction"}, headers={"Idempotency-Key": key})
    assert r3.status == 200 and r3.json["id"] == did and r3.json["status"] == "sans_suite"
    # without the key the status check answers
    assert act(instructor, did, {"action": "start_instruction"}).status == 409
    # another caisse's instructor with the same key is another scope
    other = stack.client(epart.instructor_token("751"))
    assert act(other, did, {"action": "start_instruction"},
               headers={"Idempotency-Key": key}).status == 404


def test_request_transition_retried_after_it_moved(stack, partner, instructor):
    r = partner.post("/v1/signalements", {
        "person": {"last_name": NAME, "first_names": ["Jeanne"], "birth_date": "1980-02-29",
                   "phone": PHONE, "email": EMAIL, "nir": NIR},
        "reasons": ["sans_complementaire"], "parcours": "renoncement_soins",
        "consent": {"obtained_on": "2026-11-20", "informed": True}})
    assert r.status == 202, r
    sid = r.json["id"]
    assert wait_for(lambda: stack.psql("SELECT count(*) FROM requests WHERE id = '%s'" % sid)
                    == "1")
    path = "/v1/signalements/%s/transitions" % sid
    key = new_key()
    before = idem_values(stack)
    r1 = instructor.post(path, {"action": "pris_en_charge"}, headers={"Idempotency-Key": key})
    assert r1.status == 200 and r1.json["status"] == "pris_en_charge", r1
    r2 = instructor.post(path, {"action": "pris_en_charge"}, headers={"Idempotency-Key": key})
    assert r2.status == 200 and r2.json["id"] == sid and r2.json["status"] == "pris_en_charge"
    assert instructor.post(path, {"action": "pris_en_charge"}).status == 409
    for k, v in idem_values(stack, since=before).items():
        for secret in PERSONAL:
            assert secret not in v, (k, secret)


def test_client_creation_replay_withholds_the_secret(stack, admin, pass_org):
    key = new_key()
    before = idem_values(stack)
    path = "/v1/organisations/%s/clients" % pass_org["id"]
    r1 = admin.post(path, {"name": "Logiciel rejoué"}, headers={"Idempotency-Key": key})
    assert r1.status == 201 and r1.json["client_secret"].startswith("eps_"), r1
    secret = r1.json["client_secret"]
    for k, v in idem_values(stack, since=before).items():
        assert secret not in v and secret[4:] not in v, k
    r2 = admin.post(path, {"name": "Logiciel rejoué"}, headers={"Idempotency-Key": key})
    assert r2.status == 201, r2
    assert r2.header("Location") == r1.header("Location")
    assert r2.json["client_id"] == r1.json["client_id"]
    assert "client_secret" not in r2.json and r2.json["replayed"] is True
    assert "secret" in r2.json["note"] and secret not in r2.body.decode()
    assert r2.json["name"] == "Logiciel rejoué" and r2.json["org"] == pass_org["id"]
    assert stack.psql("SELECT count(*) FROM api_clients WHERE client_id = '%s'"
                      % r1.json["client_id"]) == "1"
    # the secret of the first answer still works
    t = epart.Client(stack.port).post("/v1/auth/token", {"client_id": r1.json["client_id"],
                                                         "client_secret": secret})
    assert t.status == 200, t


def test_organisation_creation_replay_reads_it_again(stack, admin):
    key = new_key()
    before = idem_values(stack)
    body = epart.organisation_body(referent={"name": NAME, "email": EMAIL, "phone": PHONE})
    r1 = admin.post("/v1/organisations", body, headers={"Idempotency-Key": key})
    assert r1.status == 201, r1
    for k, v in idem_values(stack, since=before).items():
        for secret in (NAME, EMAIL, PHONE):
            assert secret not in v, (k, secret)
    r2 = admin.post("/v1/organisations", body, headers={"Idempotency-Key": key})
    assert r2.status == 201 and r2.json == r1.json, r2
    assert r2.header("Location") == r1.header("Location")


def test_scopes_with_separators_do_not_collide(stack):
    """sub "u-X" with key "k:X" and sub "u-X:k" with key "X" joined to the same
    Redis key: the second admin got the first one's answer (or a 422)."""
    x = uuid.uuid4().hex
    a = stack.client(epart.admin_token(sub="u-%s" % x))
    b = stack.client(epart.admin_token(sub="u-%s:k" % x))
    ra = a.post("/v1/organisations", epart.organisation_body(name="A " + x),
                headers={"Idempotency-Key": "k:%s" % x})
    rb = b.post("/v1/organisations", epart.organisation_body(name="B " + x),
                headers={"Idempotency-Key": x})
    assert ra.status == 201 and rb.status == 201, (ra, rb)
    assert ra.json["id"] != rb.json["id"] and rb.json["name"] == "B " + x
    # the same body from b with a's key is b's own first request
    rb2 = b.post("/v1/organisations", epart.organisation_body(name="A " + x),
                 headers={"Idempotency-Key": "k:%s" % x})
    assert rb2.status == 201 and rb2.json["id"] not in (ra.json["id"], rb.json["id"])


def test_agent_creation_replay_reads_it_again(stack, admin):
    key = new_key()
    before = idem_values(stack)
    mail = "agent-%s@example.org" % uuid.uuid4().hex[:8]
    body = {"email": mail, "name": NAME, "role": "admin"}
    r1 = admin.post("/v1/agents", body, headers={"Idempotency-Key": key})
    assert r1.status == 201, r1
    for k, v in idem_values(stack, since=before).items():
        assert mail not in v and NAME not in v, k
    r2 = admin.post("/v1/agents", body, headers={"Idempotency-Key": key})
    assert r2.status == 201 and r2.json == r1.json, r2



def test_message_creation_replay_reads_it_again(stack, partner):
    """A partnership message's free text is not kept under its key: a replay
    reads the message again (store/partnership_messages.h)."""
    key = new_key()
    before = idem_values(stack)
    body = {"subject": "Rejeu", "body": "Texte libre %s" % uuid.uuid4().hex[:8]}
    r1 = partner.post("/v1/messages", body, headers={"Idempotency-Key": key})
    assert r1.status == 201, r1
    for k, v in idem_values(stack, since=before).items():
        assert body["body"] not in v, k
    r2 = partner.post("/v1/messages", body, headers={"Idempotency-Key": key})
    assert r2.status == 201 and r2.json == r1.json, r2

# ---- a record lost with its Redis (a failover, docs/high-availability.md) -----------

def creations(pass_org):
    """The 201 writes that go straight to PostgreSQL: (path, body, id field,
    SQL counting the rows of an id)."""
    mail = "perte-%s@example.org" % uuid.uuid4().hex[:8]
    return {
        "organisation": ("/v1/organisations", epart.organisation_body(), "id",
                         "SELECT count(*) FROM organisations WHERE id = '%s'"),
        "api_client": ("/v1/organisations/%s/clients" % pass_org["id"], {"name": "Logiciel"},
                       "client_id", "SELECT count(*) FROM api_clients WHERE client_id = '%s'"),
        "agent": ("/v1/agents", {"email": mail, "name": NAME, "role": "admin"}, "id",
                  "SELECT count(*) FROM agents WHERE id = '%s'"),
        "webhook": ("/v1/webhooks", {"url": "http://127.0.0.1:9/hook", "org": pass_org["id"],
                                     "events": ["message.created"]}, "id",
                    "SELECT count(*) FROM webhooks WHERE id = '%s'"),
    }


def drop_redis_records(stack, object_id):
    """Delete the Redis records naming object_id: what a Redis failover does to
    a record written after the resource's COMMIT and not yet replicated."""
    gone = 0
    for k in stack.redis("--scan", "--pattern", "epart:idem:*").split():
        if stack.redis("TYPE", k).strip() == "string" and object_id in stack.redis("GET", k):
            stack.redis("DEL", k)
            gone += 1
    return gone


@pytest.mark.parametrize("what", ["organisation", "api_client", "agent", "webhook"])
def test_creation_retried_after_its_redis_record_was_lost(stack, admin, pass_org, what):
    """The record is committed with the resource in PostgreSQL: a retry that
    Redis does not recognise any more still gets the first answer, and no
    second resource; a reused key is still refused."""
    path, body, id_field, count_sql = creations(pass_org)[what]
    key = new_key()
    r1 = admin.post(path, body, headers={"Idempotency-Key": key})
    assert r1.status == 201, r1
    oid = r1.json[id_field]
    stored = stack.psql("SELECT record FROM idempotency_records WHERE record LIKE '%%%s%%'" % oid)
    assert stored and '"s":201' in stored.replace(" ", ""), stored
    for secret in (NAME, r1.json.get("client_secret"), r1.json.get("secret"), body.get("email")):
        assert not secret or secret not in stored, what  # ids only, as in Redis
    assert drop_redis_records(stack, oid) == 1
    r2 = admin.post(path, body, headers={"Idempotency-Key": key})
    assert r2.status == 201, r2
    assert r2.json[id_field] == oid and r2.header("Location") == r1.header("Location"), r2
    assert stack.psql(count_sql % oid) == "1"
    # the replay put the record back in Redis, and the key stays the first body's
    assert drop_redis_records(stack, oid) == 1
    other = dict(body, name="Autre nom") if what != "webhook" else dict(body, description="x")
    r3 = admin.post(path, other, headers={"Idempotency-Key": key})
    assert r3.status == 422 and r3.json["errors"][0]["code"] == "idempotency_key_reused", r3


def test_a_refused_creation_commits_nothing(stack, admin):
    """A creation answered 4xx under a key records its answer and nothing else;
    the transaction idem_begin opened is never left open (the next request on
    that connection sees no half-done write)."""
    key = new_key()
    body = epart.organisation_body(kind="pas_un_type")
    r1 = admin.post("/v1/organisations", body, headers={"Idempotency-Key": key})
    assert r1.status == 422, r1
    r2 = admin.post("/v1/organisations", body, headers={"Idempotency-Key": key})
    assert r2.status == 422 and r2.json == r1.json, r2
    name = body["name"].replace("'", "''")
    assert stack.psql("SELECT count(*) FROM organisations WHERE name = '%s'" % name) == "0"


def test_submission_retried_after_its_redis_record_was_lost(stack, partner):
    """A dossier's id is its submission's own (key and body): a retry that a
    failover kept from meeting its record — the record and the first entry
    lost with the old primary while a worker had persisted that entry, or both
    entries kept — makes the same dossier again, never a second one."""
    key = new_key()
    body = person_body()
    r1 = partner.post("/v1/dossiers", body, headers={"Idempotency-Key": key})
    assert r1.status == 202, r1
    did = r1.json["id"]
    assert wait_for(lambda: status_of(stack, did) != "")
    assert drop_redis_records(stack, did) == 1
    r2 = partner.post("/v1/dossiers", body, headers={"Idempotency-Key": key})
    assert r2.status == 202 and r2.json["id"] == did, r2
    # the second entry is applied as a redelivery: one dossier, one submission
    assert wait_for(lambda: stack.redis("XLEN", "epart:ingest").strip() == "0")
    assert stack.psql("SELECT count(*) FROM dossiers WHERE id = '%s'" % did) == "1"
    assert stack.psql("SELECT count(*) FROM dossier_events WHERE dossier_id = '%s' "
                      "AND detail->>'action' = 'submit'" % did) == "1"
    # another body under another key is another dossier
    r3 = partner.post("/v1/dossiers", person_body(), headers={"Idempotency-Key": new_key()})
    assert r3.status == 202 and r3.json["id"] != did, r3
