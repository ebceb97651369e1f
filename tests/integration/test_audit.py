"""The RGPD audit journal (SPEC §10, docs/donnees-personnelles.md): every read
and write of a person's data leaves a row — who, role, organisation, what,
when, from where — readable by administrators only, filtered and paged."""
import time
import uuid

import pytest

import epart
from epart import dossier_body, wait_for

T1 = "2026-06-01T08:00:00Z"
T2 = "2026-06-02T08:00:00Z"


@pytest.fixture(scope="module")
def setting(stack, admin):
    admin.put("/v1/admin/clock", {"now": T1})
    time.sleep(0.25)  # let every process's clock follower settle (see test_indicateurs)
    r = admin.post("/v1/organisations", epart.organisation_body(kind="ccas", name="CCAS audité"))
    assert r.status == 201, r
    org = r.json
    sub = "agent-audit-" + uuid.uuid4().hex[:8]
    partner = stack.client(epart.partner_token(org["id"], sub=sub))
    body = dossier_body("puma")
    body["consent"]["obtained_on"] = "2026-06-01"
    r = partner.post("/v1/dossiers", body)
    assert r.status == 202, r
    did = r.json["id"]
    assert wait_for(lambda: stack.psql("SELECT count(*) FROM dossiers WHERE id = '%s'" % did)
                    == "1")
    yield {"org": org, "sub": sub, "partner": partner, "dossier": did}
    # the other modules of the session expect today's date
    admin.put("/v1/admin/clock", {"now": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})


def journal(admin, query):
    r = admin.get("/v1/audit?" + query)
    assert r.status == 200, r
    return r.json["items"]


def wait_rows(admin, query, n):
    """The journal is written in batches a fraction of a second later."""
    assert wait_for(lambda: len(journal(admin, query)) >= n), journal(admin, query)
    return journal(admin, query)


def test_a_partner_reading_a_dossier_is_journaled(setting, admin):
    did, sub, org = setting["dossier"], setting["sub"], setting["org"]
    r = setting["partner"].get("/v1/dossiers/" + did)
    assert r.status == 200
    rows = wait_rows(admin, "sub=%s&object_id=%s&action=read" % (sub, did), 1)
    assert all(x["action"] == "read" for x in rows), rows
    row = rows[0]
    assert row["sub"] == sub and row["role"] == "partner" and row["org"] == org["id"]
    assert row["caisse"] is None
    assert row["object_type"] == "dossier" and row["object_id"] == did
    assert row["remote_addr"] == "127.0.0.1"
    assert row["at"] == T1  # the product's clock
    assert set(row) == {"id", "at", "sub", "role", "org", "caisse", "action", "object_type",
                        "object_id", "remote_addr"}


def test_the_queued_creation_is_journaled_by_the_worker(setting, admin):
    did, sub = setting["dossier"], setting["sub"]
    rows = wait_rows(admin, "object_type=dossier&object_id=" + did, 1)
    created = [x for x in rows if x["action"] == "create"]
    assert len(created) == 1, rows
    row = created[0]
    assert row["sub"] == sub and row["role"] == "partner"
    assert row["org"] == setting["org"]["id"] and row["remote_addr"] == "127.0.0.1"
    assert row["at"] == T1


def test_messages_and_transitions_are_journaled(stack, setting, admin, instructor):
    did, partner = setting["dossier"], setting["partner"]
    r = partner.post("/v1/dossiers/%s/messages" % did, {"body": "Bonjour"})
    assert r.status == 202, r
    mid = r.json["id"]
    assert wait_for(lambda: partner.get("/v1/dossiers/%s/messages/%s" % (did, mid)).status == 200)
    assert instructor.post("/v1/dossiers/%s/transitions" % did,
                           {"action": "start_instruction"}).status == 200
    # every read of the message list journals rows too: wait for the
    # transition's own row, not for a count
    assert wait_for(lambda: any(x["role"] == "instructor"
                                for x in journal(admin, "object_id=" + did))), \
        journal(admin, "object_id=" + did)
    rows = journal(admin, "object_id=" + did)
    seen = {(x["role"], x["action"], x["object_type"]) for x in rows}
    assert ("partner", "message", "dossier") in seen, seen  # written by the worker
    assert ("partner", "read", "dossier_messages") in seen, seen
    assert ("instructor", "transition", "dossier") in seen, seen
    inst = [x for x in rows if x["role"] == "instructor"][0]
    assert inst["caisse"] == "171" and inst["org"] is None


def test_admin_only(stack, setting, instructor):
    assert setting["partner"].get("/v1/audit").status == 403
    assert instructor.get("/v1/audit").status == 403
    assert stack.client().get("/v1/audit").status == 401


def test_filters_and_pagination(stack, setting, admin):
    did, partner, sub = setting["dossier"], setting["partner"], setting["sub"]
    admin.put("/v1/admin/clock", {"now": T2})
    time.sleep(0.25)
    for _ in range(5):
        assert partner.get("/v1/dossiers/" + did).status == 200
    q = "sub=%s&object_type=dossier&since=%s" % (sub, T2)
    rows = wait_rows(admin, q, 5)
    assert len(rows) == 5 and all(x["at"] == T2 and x["action"] == "read" for x in rows)
    assert [x["id"] for x in rows] == sorted((x["id"] for x in rows), reverse=True)
    # until is exclusive: nothing of T2 before T2
    before = journal(admin, "sub=%s&until=%s" % (sub, T2))
    assert before and all(x["at"] < T2 for x in before)
    # pages of two, newest first, nothing lost nor repeated
    seen, cursor, pages = [], None, 0
    while True:
        r = admin.get("/v1/audit?limit=2&" + q + ("&cursor=" + cursor if cursor else ""))
        assert r.status == 200, r
        seen += [x["id"] for x in r.json["items"]]
        pages += 1
        cursor = r.json["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and seen == [x["id"] for x in rows]
    # an instant with an offset is the same instant
    assert len(journal(admin, "sub=%s&since=2026-06-02T10:00:00%%2B02:00" % sub)) == 5
    # filters that match nothing
    assert journal(admin, "sub=personne-" + uuid.uuid4().hex) == []
    assert journal(admin, "object_id=" + str(uuid.uuid4())) == []


def test_bad_parameters(admin):
    for q, field in [("since=hier", "since"), ("until=2026-13-01T00:00:00Z", "until"),
                     ("limit=0", "limit"), ("cursor=AAAA", "cursor"), ("sub=", "sub"),
                     ("object_type=" + "x" * 65, "object_type")]:
        r = admin.get("/v1/audit?" + q)
        assert r.status == 422, (q, r)
        assert field in {f for f, _ in r.error_codes()}, (q, r.error_codes())


def test_reading_the_journal_is_journaled(admin):
    admin.get("/v1/audit?limit=1")
    rows = wait_rows(admin, "object_type=audit", 1)
    assert rows[0]["role"] == "admin" and rows[0]["action"] == "list"


def test_a_list_journals_one_row_per_object_returned(stack, admin, setting):
    """SPEC §10 (issue 9, finding 8): a list of N writes N rows, each naming the
    object returned — paging through a file leaves a trace of whose data was
    read. Dossiers, §8 requests and a dossier's messages."""
    org = admin.post("/v1/organisations", epart.organisation_body(kind="ccas")).json
    sub = "lister-" + uuid.uuid4().hex[:8]
    partner = stack.client(epart.partner_token(org["id"], sub=sub))
    dossiers = []
    body = dossier_body("puma")
    body["consent"]["obtained_on"] = "2026-06-01"  # the module's clock is T1
    for _ in range(3):
        r = partner.post("/v1/dossiers", body)
        assert r.status == 202, r
        dossiers.append(r.json["id"])
    signalements = []
    for _ in range(2):
        r = partner.post("/v1/signalements", {
            "person": {"last_name": "LISTE", "first_names": ["Paul"], "birth_date": "1975-05-12"},
            "reasons": ["sans_complementaire"], "parcours": "renoncement_soins",
            "consent": {"obtained_on": "2026-06-01", "informed": True}})
        assert r.status == 202, r
        signalements.append(r.json["id"])
    for oid in dossiers:
        assert wait_for(lambda: stack.psql("SELECT count(*) FROM dossiers WHERE id = '%s'" % oid)
                        == "1")
    for oid in signalements:
        assert wait_for(lambda: stack.psql("SELECT count(*) FROM requests WHERE id = '%s'" % oid)
                        == "1")
    for _ in range(2):
        assert partner.post("/v1/dossiers/%s/messages" % dossiers[0],
                            {"body": "Bonjour"}).status == 202
    assert wait_for(lambda: len(partner.get("/v1/dossiers/%s/messages" % dossiers[0])
                                .json["items"]) == 2)

    def rows(action, object_type):
        return stack.psql("SELECT count(*), count(DISTINCT object_id), "
                          "string_agg(object_id, ',' ORDER BY object_id) FROM audit_journal "
                          "WHERE sub = '%s' AND action = '%s' AND object_type = '%s'"
                          % (sub, action, object_type)).split("|")

    listed = partner.get("/v1/dossiers?limit=500")
    assert listed.status == 200 and len(listed.json["items"]) == 3
    assert wait_for(lambda: rows("list", "dossier")[0] == "3"), rows("list", "dossier")
    n, distinct, ids = rows("list", "dossier")
    assert distinct == "3" and sorted(ids.split(",")) == sorted(dossiers)
    # a page journals what it returned, not what the scope holds
    page = partner.get("/v1/dossiers?limit=2")
    assert len(page.json["items"]) == 2
    assert wait_for(lambda: rows("list", "dossier")[0] == "5")
    assert set(rows("list", "dossier")[2].split(",")) == set(dossiers)

    assert len(partner.get("/v1/signalements").json["items"]) == 2
    assert wait_for(lambda: rows("list", "signalement")[0] == "2")
    assert sorted(rows("list", "signalement")[2].split(",")) == sorted(signalements)

    msgs = partner.get("/v1/dossiers/%s/messages" % dossiers[0]).json["items"]
    base = int(rows("list", "dossier_message")[0])
    assert base >= 2
    partner.get("/v1/dossiers/%s/messages" % dossiers[0])
    assert wait_for(lambda: int(rows("list", "dossier_message")[0]) == base + 2)
    assert set(rows("list", "dossier_message")[2].split(",")) == {m["id"] for m in msgs}
    # rows are readable through the journal API too, each naming its object
    api_rows = journal(admin, "sub=%s&action=list&object_type=signalement" % sub)
    assert sorted(r["object_id"] for r in api_rows) == sorted(signalements)
