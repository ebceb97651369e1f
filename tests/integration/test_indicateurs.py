"""COPIL indicators (SPEC §9, docs/indicateurs.md) over real HTTP: a caisse of
its own ("990") with organisations and dossiers moved through their statuses
on the test clock, then every figure checked exactly — counts, medians and
90th percentiles of known delays, deadlines met and breached — with the
scope of each role, the 422s, and the CSV (RFC 4180 quoting)."""
import csv
import io
import time
import uuid
from datetime import date, timedelta

import pytest

import epart
from epart import dossier_body, transition, wait_for, wait_persisted

CAISSE = "990"
D0 = date(2026, 3, 2)  # a Monday, before the change to summer time
FROM, TO = "2026-02-23", "2026-05-01"  # D0 - 7 .. D0 + 60
QUERY = "/v1/indicateurs?from=%s&to=%s" % (FROM, TO)
B_NAME = 'Maison "France Services", Nord'
D_NAME = "=1+1 Association"


def day(off):
    return (D0 + timedelta(days=off)).isoformat()


def at(off, hm="10:00"):
    return "%sT%s:00Z" % (day(off), hm)


class World:
    """Everything the scenario created, and the clients to look at it."""


def set_clock(admin, when):
    r = admin.put("/v1/admin/clock", {"now": when})
    assert r.status == 200, r
    # Each process follows the shared clock every 100 ms (common/clock.c); a
    # follower's read issued between two quick PUTs can bring the previous
    # instant back for one tick. Let it settle before acting on the new one.
    time.sleep(0.25)


def submit(stack, partner, prestation, today, **over):
    body = dossier_body(prestation, **over)
    body["consent"]["obtained_on"] = today
    r = partner.post("/v1/dossiers", body)
    assert r.status == 202, r
    wait_persisted(stack, "dossiers", r.json["id"])
    return r.json["id"]


def accord(instructor, did, today):
    return transition(instructor, did, "decide", decision="accord", motif="Dossier complet",
               rights={"start": today})


def signalement(stack, partner, today):
    r = partner.post("/v1/signalements", {
        "person": {"last_name": "MARTIN", "first_names": ["Paul"], "birth_date": "1975-05-12",
                   "phone": "0600000001"},
        "reasons": ["sans_complementaire"], "parcours": "renoncement_soins",
        "consent": {"obtained_on": today, "informed": True}})
    assert r.status == 202, r
    wait_persisted(stack, "requests", r.json["id"])
    return r.json["id"]


def move(instructor, sid, *statuses):
    for s in statuses:
        r = instructor.post("/v1/signalements/%s/transitions" % sid, {"action": s})
        assert r.status == 200, (s, r)


@pytest.fixture(scope="module")
def world(stack, admin):
    w = World()
    orgs = {}
    for key, kw in {"A": dict(kind="pass_ville", name="PASS Indicateurs A"),
                    "B": dict(kind="france_services", ame_habilitation=True, name=B_NAME),
                    "C": dict(kind="ccas", caisse="991", name="CCAS d'une autre caisse"),
                    "D": dict(kind="association", name=D_NAME)}.items():
        kw.setdefault("caisse", CAISSE)
        r = admin.post("/v1/organisations", epart.organisation_body(**kw))
        assert r.status == 201, r
        orgs[key] = r.json
    w.orgs = orgs
    pa = stack.client(epart.partner_token(orgs["A"]["id"], sub="agent-a"))
    pb = stack.client(epart.partner_token(orgs["B"]["id"], sub="agent-b"))
    ins = stack.client(epart.instructor_token(CAISSE, sub="instructeur-990"))
    w.pa, w.pb, w.ins = pa, pb, ins

    # before the period: received, decided, taken in charge — counted nowhere
    set_clock(admin, at(-40))
    d11 = submit(stack, pa, "puma", day(-40))
    s5 = signalement(stack, pa, day(-40))
    set_clock(admin, at(-39))
    move(ins, s5, "pris_en_charge")
    set_clock(admin, at(-35))
    transition(ins, d11, "start_instruction")
    accord(ins, d11, day(-35))
    # the Paris day boundary of "from" (2026-02-23 00:00 Paris = 02-22 23:00 UTC)
    set_clock(admin, at(-8, "21:30"))  # 22:30 in Paris, the day before: out
    s7 = signalement(stack, pa, day(-8))
    move(ins, s7, "abandon")
    set_clock(admin, at(-8, "23:30"))  # 00:30 in Paris on the first day: in
    s6 = signalement(stack, pa, day(-7))
    move(ins, s6, "abandon")

    # D0: the dossiers of the period
    set_clock(admin, at(0))
    w.d = d = {}
    d[1] = submit(stack, pa, "puma", day(0))
    d[2] = submit(stack, pa, "puma", day(0))
    d[4] = submit(stack, pa, "css", day(0))
    d[5] = submit(stack, pa, "css", day(0))
    ame = dict(first_request=True)
    d[6] = submit(stack, pa, "ame", day(0), deposited_on=day(-2), **ame)
    d[7] = submit(stack, pa, "ame", day(0), deposited_on=day(-5), **ame)
    d[8] = submit(stack, pa, "ame", day(0), deposited_on=day(-10), **ame)  # 8-day clock breached
    d[9] = submit(stack, pb, "ame", day(0), deposited_on=day(-1), **ame)
    d[10] = submit(stack, pb, "ame", day(0))  # AME, not a first request
    d[12] = submit(stack, pa, "puma", day(0), transmit=False)  # deposited, never transmitted
    for k in (1, 2, 4, 5, 6, 7):
        transition(ins, d[k], "start_instruction")
    s = {k: signalement(stack, pa, day(0)) for k in (1, 2, 3, 4)}

    set_clock(admin, at(1))
    d[3] = submit(stack, pa, "puma", day(1))
    transition(ins, d[3], "start_instruction")
    transition(ins, d[6], "request_pieces", pieces=["justificatif_ressources"],
               message="Avis d'impôt")
    transition(ins, d[9], "close", reason="Demande retirée")
    move(ins, s[1], "pris_en_charge", "en_cours")
    move(ins, s[4], "non_pertinent")
    set_clock(admin, at(2))
    transition(ins, d[7], "decide", decision="refus", motif="Ressources")
    move(ins, s[1], "soins_realises")
    set_clock(admin, at(3))
    transition(ins, d[5], "decide", decision="refus", motif="Ressources")
    move(ins, s[3], "pris_en_charge", "en_cours")  # 48 hours passed: breached
    r = pa.post("/v1/dossiers/%s/pieces" % d[6], {"pieces": [
        {"kind": "justificatif_ressources", "filename": "avis.pdf", "sha256": "b" * 64,
         "size": 2048}]})
    assert r.status == 202, r
    assert wait_for(lambda: ins.get("/v1/dossiers/" + d[6]).json["status"] == "en_instruction")
    set_clock(admin, at(4))
    accord(ins, d[6], day(4))
    set_clock(admin, at(5))
    accord(ins, d[4], day(5))
    set_clock(admin, at(10))
    accord(ins, d[1], day(10))
    set_clock(admin, at(20))
    accord(ins, d[2], day(20))
    set_clock(admin, at(32))  # received D0+1: due end of D0+31, decided late
    accord(ins, d[3], day(32))
    set_clock(admin, at(40))
    yield w
    # the other modules of the session expect today's date
    set_clock(admin, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))


def stats(n, mean, median, p90):
    return {"n": n, "mean": mean, "median": median, "p90": p90}


NO_STATS = stats(0, None, None, None)

EXPECTED_A = {
    "dossiers_transmitted": {"total": 8, "puma": 3, "css": 2, "ame": 3},
    "signalements": {"received": 5, "by_status": {
        "recu": 1, "pris_en_charge": 0, "en_cours": 1, "soins_realises": 1, "non_pertinent": 1,
        "abandon": 1}},
    "ame_first_requests": {
        "transmitted": 3,
        # deposit -> receipt: 2, 5, 10 days
        "transmission_delay_days": stats(3, 5.67, 5, 9),
        "outcomes": {"accord": 1, "refus": 1, "pieces_demandees": 1, "sans_suite": 0,
                     "pending": 1},
        "rights_opening_delay_days": stats(1, 4, 4, 4)},
    "rights_opening_delay_days": {
        # receipt -> accord: 10, 20, 31 days; p90 = 20 + 0.8 * 11
        "puma": stats(3, 20.33, 20, 28.8),
        "css": stats(1, 5, 5, 5)},
    "deadlines": {
        "instruction": {"met": 6, "breached": 2},
        "transmission": {"met": 2, "breached": 1},
        "prise_en_charge": {"met": 3, "breached": 2},
        "rappel": {"met": 0, "breached": 0}},
}

EXPECTED_B = {
    "dossiers_transmitted": {"total": 2, "puma": 0, "css": 0, "ame": 2},
    "signalements": {"received": 0, "by_status": {
        "recu": 0, "pris_en_charge": 0, "en_cours": 0, "soins_realises": 0, "non_pertinent": 0,
        "abandon": 0}},
    "ame_first_requests": {
        "transmitted": 1,
        "transmission_delay_days": stats(1, 1, 1, 1),
        "outcomes": {"accord": 0, "refus": 0, "pieces_demandees": 0, "sans_suite": 1,
                     "pending": 0},
        "rights_opening_delay_days": NO_STATS},
    "rights_opening_delay_days": {"puma": NO_STATS, "css": NO_STATS},
    "deadlines": {
        "instruction": {"met": 1, "breached": 1},
        "transmission": {"met": 1, "breached": 0},
        "prise_en_charge": {"met": 0, "breached": 0},
        "rappel": {"met": 0, "breached": 0}},
}

EXPECTED_TOTAL = {
    "dossiers_transmitted": {"total": 10, "puma": 3, "css": 2, "ame": 5},
    "signalements": EXPECTED_A["signalements"],
    "ame_first_requests": {
        "transmitted": 4,
        # 1, 2, 5, 10 days: median 3.5, p90 = 5 + 0.7 * 5
        "transmission_delay_days": stats(4, 4.5, 3.5, 8.5),
        "outcomes": {"accord": 1, "refus": 1, "pieces_demandees": 1, "sans_suite": 1,
                     "pending": 1},
        "rights_opening_delay_days": stats(1, 4, 4, 4)},
    "rights_opening_delay_days": EXPECTED_A["rights_opening_delay_days"],
    "deadlines": {
        "instruction": {"met": 7, "breached": 3},
        "transmission": {"met": 3, "breached": 1},
        "prise_en_charge": {"met": 3, "breached": 2},
        "rappel": {"met": 0, "breached": 0}},
}


def zeros(doc):
    """The same document with every count zero and every statistic null."""
    if isinstance(doc, dict):
        return {k: (None if k in ("mean", "median", "p90") else zeros(v)) for k, v in doc.items()}
    return 0


def by_id(doc):
    return {o["id"]: o for o in doc["organisations"]}


def test_every_figure_exactly(world):
    r = world.ins.get(QUERY)
    assert r.status == 200, r
    doc = r.json
    assert doc["period"] == {"from": FROM, "to": TO}
    assert doc["scope"]["role"] == "instructor" and doc["scope"]["caisse"] == CAISSE
    assert doc["total"] == EXPECTED_TOTAL
    orgs = by_id(doc)
    a, b, c, dd = (world.orgs[k]["id"] for k in "ABCD")
    assert set(orgs) == {a, b, dd}  # every organisation of the caisse, none other
    assert orgs[a]["indicators"] == EXPECTED_A
    assert orgs[a]["name"] == "PASS Indicateurs A" and orgs[a]["kind"] == "pass_ville"
    assert orgs[b]["indicators"] == EXPECTED_B and orgs[b]["name"] == B_NAME
    # an organisation without activity is listed, with zeros
    assert orgs[dd]["indicators"] == zeros(EXPECTED_A)
    # the keys come in the annexe's order
    assert list(doc["total"]) == ["dossiers_transmitted", "signalements", "ame_first_requests",
                                  "rights_opening_delay_days", "deadlines"]


def test_period_bounds_the_deadlines(world):
    # up to D0 + 10: the instruction clocks of #2 and #3 were still running and
    # not yet due at the end of the period; nothing is breached
    r = world.ins.get("/v1/indicateurs?from=%s&to=%s" % (FROM, day(10)))
    assert r.status == 200, r
    dl = r.json["total"]["deadlines"]
    assert dl["instruction"] == {"met": 6, "breached": 0}
    assert dl["transmission"] == {"met": 3, "breached": 1}
    assert dl["prise_en_charge"] == {"met": 3, "breached": 2}
    # a period before everything: zeros, but the shape is the same
    r = world.ins.get("/v1/indicateurs?from=2020-01-01&to=2020-12-31")
    assert r.status == 200 and r.json["total"] == zeros(EXPECTED_TOTAL)
    # the day the deposits happened only
    r = world.ins.get("/v1/indicateurs?from=%s&to=%s" % (day(1), day(1)))
    assert r.json["total"]["dossiers_transmitted"] == {"total": 1, "puma": 1, "css": 0, "ame": 0}


def test_default_period_is_the_last_twelve_months(world):
    r = world.ins.get("/v1/indicateurs")
    assert r.status == 200, r
    assert r.json["period"] == {"from": "2025-04-12", "to": "2026-04-11"}  # today = D0 + 40
    explicit = world.ins.get("/v1/indicateurs?from=2025-04-12&to=2026-04-11").json
    assert r.json["total"] == explicit["total"]
    # it reaches back to what happened before FROM: the dossier received on D0 - 40
    assert r.json["total"]["dossiers_transmitted"]["total"] == 11
    r = world.ins.get("/v1/indicateurs?to=2026-03-31")
    assert r.json["period"] == {"from": "2025-04-01", "to": "2026-03-31"}


def test_scope_of_each_role(stack, world, admin):
    a, b, c = (world.orgs[k]["id"] for k in "ABC")
    # a partner: its own organisation only; another one is a 404
    r = world.pa.get(QUERY)
    assert r.status == 200, r
    assert [o["id"] for o in r.json["organisations"]] == [a]
    assert r.json["total"] == EXPECTED_A and r.json["scope"]["org"] == a
    assert world.pa.get(QUERY + "&org=" + a).json["total"] == EXPECTED_A
    assert world.pa.get(QUERY + "&org=" + b).status == 404
    assert world.pb.get(QUERY).json["total"] == EXPECTED_B
    # an instructor of another caisse: zeros, and not these organisations
    other = stack.client(epart.instructor_token("991", sub="instructeur-991"))
    r = other.get(QUERY)
    assert r.status == 200
    assert r.json["total"] == zeros(EXPECTED_TOTAL)
    assert [o["id"] for o in r.json["organisations"]] == [c]
    assert other.get(QUERY + "&org=" + a).status == 404
    # the caisse's instructor narrowed to one organisation
    r = world.ins.get(QUERY + "&org=" + b)
    assert r.status == 200 and r.json["total"] == EXPECTED_B
    assert [o["id"] for o in r.json["organisations"]] == [b]
    # the admin sees every caisse; narrowed, the same figures
    r = admin.get(QUERY + "&org=" + a)
    assert r.status == 200 and r.json["total"] == EXPECTED_A
    assert admin.get(QUERY + "&org=" + str(uuid.uuid4())).status == 404
    r = admin.get(QUERY)
    ids = set(by_id(r.json))
    assert {a, b, c} <= ids
    assert r.json["total"]["dossiers_transmitted"]["total"] >= 10


def test_bad_parameters(world):
    cases = {
        "from=2026-02-30": ("from", "invalid_date"),
        "to=demain": ("to", "invalid_date"),
        "from=2026-1-01": ("from", "invalid_date"),
        "from=2026-05-02&to=2026-05-01": ("from", "invalid_range"),
        "org=pas-un-uuid": ("org", "invalid_format"),
        "format=xml": ("format", "invalid_enum"),
    }
    for q, err in cases.items():
        r = world.ins.get("/v1/indicateurs?" + q)
        assert r.status == 422, (q, r)
        assert err in r.error_codes(), (q, r.error_codes())
    # from = to is a one-day period
    assert world.ins.get("/v1/indicateurs?from=2026-03-02&to=2026-03-02").status == 200
    assert world.ins.get("/v1/indicateurs", token="").status == 401


def test_csv(world):
    r = world.ins.get(QUERY, headers={"Accept": "text/csv"})
    assert r.status == 200, r
    assert r.header("Content-Type").startswith("text/csv")
    assert "indicateurs_%s_%s.csv" % (FROM, TO) in r.header("Content-Disposition")
    raw = r.body.decode("utf-8")
    assert raw.startswith("org_id,org_name,indicator,label,value\r\n")
    assert all(line.endswith("\r") for line in raw.split("\n")[:-1])  # CRLF
    # the organisation named with a comma and quotes, quoted as RFC 4180 says
    assert '"Maison ""France Services"", Nord"' in raw
    # a name a spreadsheet would take for a formula is defused
    assert ",\"'=1+1 Association\"," in raw
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    header, rows = rows[0], rows[1:]
    assert header == ["org_id", "org_name", "indicator", "label", "value"]
    json_doc = world.ins.get(QUERY).json
    per_org = {"total": json_doc["total"]}
    per_org.update({o["id"]: o["indicators"] for o in json_doc["organisations"]})
    n_ind = len([x for x in rows if x[0] == "total"])
    assert n_ind == 41
    assert len(rows) == n_ind * len(per_org)
    names = {x[0]: x[1] for x in rows}
    assert names["total"] == "Total" and names[world.orgs["B"]["id"]] == B_NAME
    for org_id, _, indicator, label, value in rows:
        assert label
        v = per_org[org_id]
        for part in indicator.split("."):
            v = v[part]
        assert value == ("" if v is None else str(v)), (org_id, indicator, value, v)
    # the same through ?format=csv, and JSON when JSON is preferred
    assert world.ins.get(QUERY + "&format=csv").body == r.body
    j = world.ins.get(QUERY, headers={"Accept": "application/json, text/csv"})
    assert j.header("Content-Type") == "application/json"
    c = world.ins.get(QUERY, headers={"Accept": "text/csv;q=0.9, application/json;q=0"})
    assert c.header("Content-Type").startswith("text/csv")


def test_reading_indicators_is_journaled(world, admin):
    world.ins.get(QUERY)
    rows = wait_for(lambda: admin.get("/v1/audit?sub=instructeur-990&object_type=indicateurs")
                    .json["items"])
    assert rows and rows[0]["action"] == "read" and rows[0]["role"] == "instructor"
    assert rows[0]["caisse"] == CAISSE and rows[0]["object_id"] is None
