"""Retention (SPEC §10, docs/donnees-personnelles.md): with a period of 30
days, a dossier closed 31 days ago loses the person's data within seconds of
the test clock getting there — identity, situation, file names, free texts,
message bodies — while its statuses, history, deadlines and decision stay and
the indicators still count it. Open or recently closed ones are untouched."""
import glob
import json
import time

import pytest

import epart
from epart import dossier_body, transition, wait_for, wait_persisted

DAY0 = "2026-05-04T09:00:00Z"


@pytest.fixture(scope="module")
def rstack():
    s = epart.Stack(workers=2, extra_env={"EPART_RETENTION_DAYS": "30"}).start()
    yield s
    reports = s.stop()
    assert not reports, reports


def set_clock(admin, now):
    assert admin.put("/v1/admin/clock", {"now": now}).status == 200
    time.sleep(0.25)  # let every process's clock follower settle (see test_indicateurs)


def submit(stack, partner, today):
    b = dossier_body("puma")
    b["consent"]["obtained_on"] = today
    b["applicant"]["email"] = "marie.dupont@example.org"
    r = partner.post("/v1/dossiers", b)
    assert r.status == 202, r
    wait_persisted(stack, "dossiers", r.json["id"])
    return r.json["id"]


def signalement(stack, partner, today):
    r = partner.post("/v1/signalements", {
        "person": {"last_name": "MARTIN", "first_names": ["Paul"], "birth_date": "1975-05-12",
                   "phone": "0611223344"},
        "reasons": ["sans_complementaire"], "parcours": "renoncement_soins",
        "consent": {"obtained_on": today, "informed": True}})
    assert r.status == 202, r
    wait_persisted(stack, "requests", r.json["id"])
    return r.json["id"]


def test_closed_dossiers_are_purged_after_the_period(rstack):
    admin = rstack.client(epart.admin_token())
    set_clock(admin, DAY0)
    org = admin.post("/v1/organisations", epart.organisation_body(kind="pass_ville")).json
    partner = rstack.client(epart.partner_token(org["id"]))
    instructor = rstack.client(epart.instructor_token(org["caisse"]))

    # X: instructed with a pieces request, messages, and refused — closed on DAY0
    x = submit(rstack, partner, "2026-05-04")
    assert partner.post("/v1/dossiers/%s/messages" % x,
                        {"body": "Mme DUPONT sera absente"}).status == 202
    transition(instructor, x, "start_instruction")
    transition(instructor, x, "request_pieces", pieces=["justificatif_ressources"],
        message="Merci d'envoyer l'avis d'impôt de Mme DUPONT")
    assert partner.post("/v1/dossiers/%s/pieces" % x, {"pieces": [
        {"kind": "justificatif_ressources", "filename": "avis-dupont.pdf", "sha256": "c" * 64,
         "size": 1000}]}).status == 202
    assert wait_for(lambda: instructor.get("/v1/dossiers/" + x).json["status"]
                    == "en_instruction")
    transition(instructor, x, "decide", decision="refus",
               motif="Ressources de Mme DUPONT trop élevées")
    assert wait_for(lambda: len(partner.get("/v1/dossiers/%s/messages" % x).json["items"]) == 1)
    # Z stays open; S is a signalement closed on DAY0, T one still open
    z = submit(rstack, partner, "2026-05-04")
    s = signalement(rstack, partner, "2026-05-04")
    for status in ("pris_en_charge", "en_cours", "soins_realises"):
        assert instructor.post("/v1/signalements/%s/transitions" % s,
                               {"action": status, "comment": "Appel à M. MARTIN"}).status == 200
    t = signalement(rstack, partner, "2026-05-04")
    # Y: closed 20 days later, still within the period when X goes
    set_clock(admin, "2026-05-24T09:00:00Z")
    y = submit(rstack, partner, "2026-05-24")
    transition(instructor, y, "close", reason="Doublon")

    before_x = instructor.get("/v1/dossiers/" + x).json
    query = "/v1/indicateurs?from=2026-05-01&to=2026-05-31&org=" + org["id"]
    before = admin.get(query).json
    assert before["total"]["dossiers_transmitted"]["total"] == 3
    assert before["total"]["signalements"]["received"] == 2
    time_check = rstack.psql("SELECT count(*) FROM dossiers WHERE purged_at IS NOT NULL")
    assert time_check == "0"

    # 31 days after X closed: purged within a few seconds
    set_clock(admin, "2026-06-04T09:00:01Z")
    assert wait_for(lambda: instructor.get("/v1/dossiers/" + x).json["applicant"]
                    == {"purged": True}, timeout=8)
    d = instructor.get("/v1/dossiers/" + x).json
    assert d["situation"] == {}
    assert d["pieces"] == [{"kind": "identite"}, {"kind": "justificatif_ressources"}]
    assert d["consent"] == {"informed": True, "purged": True}
    assert d["decision"]["motif"] == "[purgé]" and d["decision"]["decision"] == "refus"
    assert d["pieces_requested"] is None or d["pieces_requested"]["message"] == "[purgé]"
    assert d["version"] == before_x["version"] + 1
    # the procedure stays: statuses, dates, history, deadlines
    for key in ("status", "prestation", "received_on", "decided_on", "reference", "deadlines"):
        assert d[key] == before_x[key], key
    assert [h["to"] for h in d["history"]] == [h["to"] for h in before_x["history"]]
    hist = {h["detail"]["action"]: h["detail"] for h in d["history"] if h.get("detail")}
    assert hist["request_pieces"]["message"] == "[purgé]"
    assert hist["decide"]["motif"] == "[purgé]"
    assert hist["pieces"]["pieces"] == [{"kind": "justificatif_ressources"}]
    assert [m["body"] for m in partner.get("/v1/dossiers/%s/messages" % x).json["items"]] \
        == ["[purgé]"]
    assert rstack.psql("SELECT purged_at IS NOT NULL FROM dossiers WHERE id = '%s'" % x) == "t"
    text = json.dumps(d, ensure_ascii=False)
    for secret in ("DUPONT", "Marie", "0600000000", "marie.dupont", "avis-dupont", "c" * 64,
                   "2025-06-01"):
        assert secret not in text, secret

    # the others are untouched
    assert instructor.get("/v1/dossiers/" + y).json["applicant"]["last_name"] == "DUPONT"
    assert instructor.get("/v1/dossiers/" + z).json["applicant"]["last_name"] == "DUPONT"
    assert wait_for(lambda: instructor.get("/v1/signalements/" + s).json["person"]
                    == {"purged": True})
    sg = instructor.get("/v1/signalements/" + s).json
    assert sg["status"] == "soins_realises" and sg["parcours"] == "renoncement_soins"
    assert "MARTIN" not in json.dumps(sg, ensure_ascii=False)
    assert instructor.get("/v1/signalements/" + t).json["person"]["last_name"] == "MARTIN"

    # the indicators count the purged ones as before
    after = admin.get(query).json
    assert after["total"] == before["total"] and after["organisations"] == \
        before["organisations"]

    # the erasure is journaled, once, by the system
    rows = wait_for(lambda: admin.get("/v1/audit?action=purge&object_id=" + x).json["items"])
    assert len(rows) == 1 and rows[0]["role"] == "system"

    # Y goes in its turn when its own 30 days are over
    set_clock(admin, "2026-06-24T09:00:01Z")
    assert wait_for(lambda: instructor.get("/v1/dossiers/" + y).json["applicant"]
                    == {"purged": True}, timeout=8)
    assert instructor.get("/v1/dossiers/" + z).json["applicant"]["last_name"] == "DUPONT"

    # logs carry counts, never the person
    logs = "".join(open(f, errors="replace").read()
                   for f in glob.glob(rstack.state + "/log/epart-*.log"))
    assert "retention: purged" in logs
    for secret in ("DUPONT", "MARTIN", "0600000000", "0611223344", "marie.dupont"):
        assert secret not in logs, secret


def redis_dump(stack):
    """Every key of Redis with its whole value, as text."""
    out = []
    for k in stack.redis("--scan").split():
        t = stack.redis("TYPE", k).strip()
        cmd = {"string": ["GET", k], "hash": ["HGETALL", k], "set": ["SMEMBERS", k],
               "list": ["LRANGE", k, "0", "-1"], "zset": ["ZRANGE", k, "0", "-1"],
               "stream": ["XRANGE", k, "-", "+"]}.get(t, ["TYPE", k])
        out.append(k + "\n" + stack.redis(*cmd))
    return "\n".join(out)


def aof_bytes(stack):
    files = glob.glob(rstack_aof_dir(stack) + "/*")
    assert files, "no append-only file"
    return b"".join(open(f, "rb").read() for f in files)


def rstack_aof_dir(stack):
    return stack.state + "/redis/appendonlydir"


def rewrite_done(stack):
    info = stack.redis("INFO", "persistence")
    return "aof_rewrite_in_progress:0" in info and "aof_rewrite_scheduled:0" in info


def test_purge_reaches_redis_and_its_append_only_file(rstack):
    """SPEC §10: the purge erases the person everywhere the data was — the
    dead-letter stream, read-your-writes and idempotency records — and then has
    the append-only file rewritten: no name, NIR, phone or e-mail of the purged
    person is left in any Redis key nor in the files on disk."""
    nir = "1850775123456"
    nir += "%02d" % (97 - int(nir) % 97)
    person = {"last_name": "EFFACEMENTREDIS", "nir": nir, "phone": "0699887766",
              "email": "personne.effacee@example.org"}
    kept = {"last_name": "CONSERVEREDIS"}
    admin = rstack.client(epart.admin_token())
    set_clock(admin, "2026-07-01T09:00:00Z")
    org = admin.post("/v1/organisations", epart.organisation_body(kind="pass_ville")).json
    partner = rstack.client(epart.partner_token(org["id"]))
    instructor = rstack.client(epart.instructor_token(org["caisse"]))

    b = dossier_body("puma")
    b["consent"]["obtained_on"] = "2026-07-01"
    b["applicant"].update(person)
    r = partner.post("/v1/dossiers", b, headers={"Idempotency-Key": "k-" + person["nir"]})
    assert r.status == 202, r
    did = r.json["id"]
    wait_persisted(rstack, "dossiers", did)
    b2 = dossier_body("puma")
    b2["consent"]["obtained_on"] = "2026-07-01"
    b2["applicant"].update(kept)
    r = partner.post("/v1/dossiers", b2)
    assert r.status == 202
    other = r.json["id"]
    wait_persisted(rstack, "dossiers", other)
    assert instructor.post("/v1/dossiers/%s/transitions" % did, {"action": "close",
                           "reason": "Doublon"},
                           headers={"Idempotency-Key": "t-" + person["nir"]}).status == 200
    # copies the worker leaves in Redis when it cannot persist an entry: a
    # dead-lettered entry (the shape of worker/consumer.c's dead_letter) and its
    # read-your-writes record
    meta = json.dumps({"v": 1, "id": did, "org": org["id"], "status": "recu"})
    rstack.redis("XADD", "epart:ingest:dead", "*", "original_id", "1-1", "type",
                 "dossier.create", "meta", meta, "body", json.dumps(b), "tries", "5")
    rstack.redis("HSET", "epart:pending:" + did, "meta", meta, "stream_id", "1-1")
    meta2 = json.dumps({"v": 1, "id": other, "org": org["id"], "status": "recu"})
    rstack.redis("XADD", "epart:ingest:dead", "*", "original_id", "1-2", "type",
                 "dossier.create", "meta", meta2, "body", json.dumps(b2), "tries", "5")
    # positive controls: the person is in Redis and on disk before the purge
    assert person["last_name"] in redis_dump(rstack)
    assert person["last_name"].encode() in aof_bytes(rstack)
    assert rstack.redis("SCARD", "epart:idem-of:" + did) == "2"

    set_clock(admin, "2026-08-02T09:00:01Z")
    assert wait_for(lambda: rstack.psql("SELECT purged_at IS NOT NULL FROM dossiers WHERE id = '%s'"
                                        % did) == "t", timeout=10)
    assert wait_for(lambda: rstack.psql("SELECT count(*) FROM redis_purge_queue") == "0",
                    timeout=15)
    assert wait_for(lambda: rewrite_done(rstack), timeout=15)
    dump = redis_dump(rstack)
    disk = aof_bytes(rstack)
    for secret in person.values():
        assert secret not in dump, secret
        assert secret.encode() not in disk, secret
    assert rstack.redis("EXISTS", "epart:pending:" + did) == "0"
    assert rstack.redis("EXISTS", "epart:idem-of:" + did) == "0"
    # what was not purged stays: the other dead letter, its person with it
    assert kept["last_name"] in dump
    assert "%s" % other in dump
    logs = "".join(open(f, errors="replace").read()
                   for f in glob.glob(rstack.state + "/log/epart-*.log"))
    assert "Redis purged of" in logs
    for secret in person.values():
        assert secret not in logs, secret
