"""Deadlines and alerts with the test clock (SPEC §6): warnings then exactly one
breach, stop-the-clock, the AME 8-day clock, daylight-saving changes, and
several scanners at once with one killed mid-scan."""
import signal
import time
import uuid

import pytest

import epart
from epart import dossier_body, wait_for


@pytest.fixture(scope="module")
def dstack():
    s = epart.Stack(workers=1).start()
    yield s
    reports = s.stop()
    assert not reports, reports


@pytest.fixture(scope="module")
def dadmin(dstack):
    return dstack.client(epart.admin_token())


@pytest.fixture(scope="module")
def dorg(dadmin):
    r = dadmin.post("/v1/organisations", epart.organisation_body(kind="pass_ville"))
    assert r.status == 201
    return r.json


def set_clock(admin, now):
    r = admin.put("/v1/admin/clock", {"now": now})
    assert r.status == 200, r


def body_on(day, **over):
    """A PUMa dossier whose dates are valid on day (YYYY-MM-DD)."""
    b = dossier_body("puma", **over)
    b["consent"]["obtained_on"] = day
    b["situation"]["residence_since"] = "2020-01-01"
    return b


def alerts_of(client, did):
    items = client.get("/v1/alerts?limit=500").json["items"]
    return sorted([(a["clock"], a["level"], a["lead"]) for a in items
                   if a["object"]["id"] == did])


def create(stack, client, day, **over):
    r = client.post("/v1/dossiers", body_on(day, **over))
    assert r.status == 202, r
    did = r.json["id"]
    assert wait_for(lambda: stack.psql("SELECT count(*) FROM dossiers WHERE id='%s'" % did)
                    == "1")
    return did


def test_warnings_then_exactly_one_breach(dstack, dadmin, dorg):
    set_clock(dadmin, "2026-11-23T09:00:00Z")
    partner = dstack.client(epart.partner_token(dorg["id"]))
    did = create(dstack, partner, "2026-11-23")
    d = partner.get("/v1/dossiers/" + did).json
    inst = d["deadlines"][0]
    # received 2026-11-23 + 30 days = 2026-12-23, end of day in Paris (UTC+1)
    assert inst["due_at"] == "2026-12-23T23:00:00Z" and inst["state"] == "running"
    set_clock(dadmin, "2026-12-18T22:59:59Z")  # one second before due - 5 days
    time.sleep(1.5)
    assert alerts_of(partner, did) == []
    set_clock(dadmin, "2026-12-18T23:00:00Z")
    assert wait_for(lambda: alerts_of(partner, did) == [("instruction", "warning", "P5D")],
                    timeout=10)
    set_clock(dadmin, "2026-12-22T23:00:00Z")
    assert wait_for(lambda: len(alerts_of(partner, did)) == 2, timeout=10)
    set_clock(dadmin, "2026-12-23T23:00:00Z")
    assert wait_for(lambda: ("instruction", "breach", None) in alerts_of(partner, did),
                    timeout=10)
    assert partner.get("/v1/dossiers/" + did).json["deadlines"][0]["state"] == "breached"
    # back and forth: nothing fires twice
    set_clock(dadmin, "2026-12-01T00:00:00Z")
    time.sleep(1.2)
    set_clock(dadmin, "2026-12-30T00:00:00Z")
    time.sleep(1.5)
    assert alerts_of(partner, did) == [("instruction", "breach", None),
                                       ("instruction", "warning", "P1D"),
                                       ("instruction", "warning", "P5D")]
    # a list of alerts journals one row per alert, naming its dossier (SPEC §10)
    sub = "alerts-" + uuid.uuid4().hex[:8]
    reader = dstack.client(epart.partner_token(dorg["id"], sub=sub))
    listed = [x for x in reader.get("/v1/alerts?limit=500").json["items"]]
    assert sum(1 for x in listed if x["object"]["id"] == did) == 3
    assert wait_for(lambda: dstack.psql(
        "SELECT count(*) FROM audit_journal WHERE sub = '%s' AND action = 'list'" % sub)
        == str(len(listed)))
    assert dstack.psql("SELECT count(*) FROM audit_journal WHERE sub = '%s' AND action = 'list' "
                       "AND object_type = 'dossier' AND object_id = '%s'" % (sub, did)) == "3"
    overdue = partner.get("/v1/dossiers?overdue=true&limit=500").json["items"]
    assert did in [x["id"] for x in overdue]
    a = [x for x in partner.get("/v1/alerts?level=breach").json["items"]
         if x["object"]["id"] == did][0]
    assert a["due_at"] == "2026-12-23T23:00:00Z" and a["fired_at"] == "2026-12-23T23:00:00Z"
    assert a["object"]["type"] == "dossier" and a["lead"] is None


def test_a_dossier_is_judged_at_the_clock_it_was_received_under(dstack, dadmin, dorg):
    """The scanner reads the shared test clock before each pass: a dossier
    received right after the clock was set back must not be judged at the
    instant the worker saw before (its follower lags by up to 100 ms)."""
    partner = dstack.client(epart.partner_token(dorg["id"]))
    for month in range(1, 9):
        set_clock(dadmin, "2029-%02d-01T09:00:00Z" % month)  # every clock long breached
        time.sleep(0.4)  # the worker has seen it
        set_clock(dadmin, "2026-%02d-10T09:00:00Z" % month)
        did = create(dstack, partner, "2026-%02d-10" % month)
        time.sleep(0.6)  # two scanner passes
        assert alerts_of(partner, did) == [], "judged in 2029: %s" % did


def test_only_the_most_severe_fires_on_a_jump(dstack, dadmin, dorg):
    set_clock(dadmin, "2026-11-23T09:00:00Z")
    partner = dstack.client(epart.partner_token(dorg["id"]))
    did = create(dstack, partner, "2026-11-23")
    set_clock(dadmin, "2027-01-15T00:00:00Z")
    assert wait_for(lambda: alerts_of(partner, did) == [("instruction", "breach", None)],
                    timeout=10)
    time.sleep(1)
    assert alerts_of(partner, did) == [("instruction", "breach", None)]


def test_suspension_shifts_the_due_date(dstack, dadmin, dorg):
    set_clock(dadmin, "2026-11-02T09:00:00Z")
    partner = dstack.client(epart.partner_token(dorg["id"]))
    instructor = dstack.client(epart.instructor_token(dorg["caisse"]))
    did = create(dstack, partner, "2026-11-02")
    assert instructor.post("/v1/dossiers/%s/transitions" % did,
                           {"action": "start_instruction"}).status == 200
    set_clock(dadmin, "2026-11-05T10:00:00Z")
    r = instructor.post("/v1/dossiers/%s/transitions" % did,
                        {"action": "request_pieces", "pieces": ["justificatif_domicile"]})
    assert r.status == 200
    assert r.json["deadlines"][0]["state"] == "suspended"
    # while suspended, nothing fires even past the original due time
    set_clock(dadmin, "2026-12-04T10:00:00Z")
    time.sleep(1.2)
    assert alerts_of(partner, did) == []
    set_clock(dadmin, "2026-11-09T15:00:00Z")  # pieces received 4 days after the request
    r = partner.post("/v1/dossiers/%s/pieces" % did,
                     {"pieces": [{"kind": "justificatif_domicile", "filename": "edf.pdf",
                                  "sha256": "c" * 64, "size": 10}]})
    assert r.status == 202
    assert wait_for(lambda: partner.get("/v1/dossiers/" + did).json["status"]
                    == "en_instruction")
    inst = partner.get("/v1/dossiers/" + did).json["deadlines"][0]
    # 2026-11-02 + 30 + 4 = 2026-12-06, end of day Paris
    assert inst["suspended_days"] == 4
    assert inst["due_at"] == "2026-12-06T23:00:00Z" and inst["state"] == "running"


def test_ame_transmission_clock(dstack, dadmin, dorg):
    set_clock(dadmin, "2026-11-10T09:00:00Z")
    partner = dstack.client(epart.partner_token(dorg["id"]))
    b = body_on("2026-11-10", transmit=False)
    b.update(dossier_body("ame", first_request=True, deposited_on="2026-11-10",
                          transmit=False))
    b["consent"]["obtained_on"] = "2026-11-10"
    r = partner.post("/v1/dossiers", b)
    assert r.status == 202 and r.json["status"] == "depose"
    did = r.json["id"]
    d = partner.get("/v1/dossiers/" + did).json
    tr = [x for x in d["deadlines"] if x["clock"] == "transmission"][0]
    assert tr["due_at"] == "2026-11-18T23:00:00Z"  # deposit + 8 days, end of day
    wait_for(lambda: dstack.psql("SELECT count(*) FROM dossiers WHERE id='%s'" % did) == "1")
    set_clock(dadmin, "2026-11-16T23:00:00Z")  # due - 2 days
    assert wait_for(lambda: alerts_of(partner, did) == [("transmission", "warning", "P2D")],
                    timeout=10)
    set_clock(dadmin, "2026-11-20T09:00:00Z")
    assert wait_for(lambda: ("transmission", "breach", None) in alerts_of(partner, did),
                    timeout=10)
    assert partner.post("/v1/dossiers/%s/transmit" % did).status == 202
    assert wait_for(lambda: partner.get("/v1/dossiers/" + did).json["status"] == "recu")
    d = partner.get("/v1/dossiers/" + did).json
    tr = [x for x in d["deadlines"] if x["clock"] == "transmission"][0]
    assert tr["state"] == "breached"
    assert alerts_of(partner, did).count(("transmission", "breach", None)) == 1


def test_late_transmission_breaches_at_receipt(dstack, dadmin, dorg):
    set_clock(dadmin, "2026-11-21T09:00:00Z")
    partner = dstack.client(epart.partner_token(dorg["id"]))
    b = dossier_body("ame", first_request=True, deposited_on="2026-11-01", transmit=True)
    b["consent"]["obtained_on"] = "2026-11-01"
    r = partner.post("/v1/dossiers", b)
    assert r.status == 202
    did = r.json["id"]
    assert wait_for(lambda: alerts_of(partner, did) == [("transmission", "breach", None)])
    a = [x for x in partner.get("/v1/alerts?clock=transmission").json["items"]
         if x["object"]["id"] == did][0]
    assert a["fired_at"] == "2026-11-21T09:00:00Z"
    d = partner.get("/v1/dossiers/" + did).json
    assert [x["state"] for x in d["deadlines"] if x["clock"] == "transmission"] == ["breached"]


def test_due_dates_across_daylight_saving_changes(dstack, dadmin, dorg):
    partner = dstack.client(epart.partner_token(dorg["id"]))
    # received in summer time, due in winter time (clocks go back on 2026-10-25)
    set_clock(dadmin, "2026-09-28T09:00:00Z")
    did = create(dstack, partner, "2026-09-28")
    assert partner.get("/v1/dossiers/" + did).json["deadlines"][0]["due_at"] == \
        "2026-10-28T23:00:00Z"
    # received in winter time, due in summer time (clocks go forward on 2026-03-29)
    set_clock(dadmin, "2026-02-28T09:00:00Z")
    did = create(dstack, partner, "2026-02-28")
    assert partner.get("/v1/dossiers/" + did).json["deadlines"][0]["due_at"] == \
        "2026-03-30T22:00:00Z"


def test_alerts_scope_and_filters(dstack, dadmin, dorg):
    other = dadmin.post("/v1/organisations", epart.organisation_body(caisse="751")).json
    intruder = dstack.client(epart.partner_token(other["id"]))
    assert intruder.get("/v1/alerts").json["items"] == []
    other_caisse = dstack.client(epart.instructor_token("751"))
    assert other_caisse.get("/v1/alerts").json["items"] == []
    own = dstack.client(epart.instructor_token(dorg["caisse"]))
    assert len(own.get("/v1/alerts").json["items"]) > 0
    assert own.get("/v1/alerts?level=bad").status == 422
    assert own.get("/v1/alerts?since=nope").status == 422
    assert own.get("/v1/alerts?since=2030-01-01T00:00:00Z").json["items"] == []
    page = own.get("/v1/alerts?limit=1")
    assert len(page.json["items"]) == 1 and page.json["next_cursor"]
    nxt = own.get("/v1/alerts?limit=1&cursor=" + page.json["next_cursor"])
    assert nxt.json["items"][0]["id"] != page.json["items"][0]["id"]


def test_three_scanners_one_killed_exactly_once():
    s = epart.Stack(workers=3).start()
    try:
        admin = s.client(epart.admin_token())
        org = admin.post("/v1/organisations", epart.organisation_body()).json
        partner = s.client(epart.partner_token(org["id"]))
        set_clock(admin, "2026-11-23T09:00:00Z")
        n = 300
        for _ in range(n):
            assert partner.post("/v1/dossiers", body_on("2026-11-23")).status == 202
        assert wait_for(lambda: s.psql("SELECT count(*) FROM dossiers") == str(n), timeout=60)
        set_clock(admin, "2026-12-19T00:00:00Z")  # past the P5D warning
        time.sleep(0.3)
        s.workers[0].send_signal(signal.SIGKILL)
        set_clock(admin, "2026-12-23T00:00:00Z")  # past P1D
        time.sleep(0.3)
        s.workers[1].send_signal(signal.SIGKILL)
        s.start_worker()
        set_clock(admin, "2027-01-10T00:00:00Z")  # past the breach
        assert wait_for(lambda: s.psql("SELECT count(*) FROM alerts WHERE level='breach'")
                        == str(n), timeout=60)
        time.sleep(1.5)
        rows = s.psql("SELECT level, coalesce(lead,''), count(*), count(DISTINCT object_id) "
                      "FROM alerts GROUP BY 1, 2 ORDER BY 1, 2").splitlines()
        for row in rows:
            level, lead, count, distinct = row.split("|")
            assert count == distinct, row  # never twice for one dossier
        assert s.psql("SELECT count(*) FROM alerts WHERE level='breach'") == str(n)
    finally:
        reports = s.stop()
    assert not [r for r in reports if "epart-worker-1" not in r and "epart-worker-2" not in r]
