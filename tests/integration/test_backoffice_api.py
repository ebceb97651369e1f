"""What the back office of SPEC §12 needs from the API, over real HTTP:
counts per status, the list ordered by the next due time across clocks, the
search by reference, the CSV of the filtered list, and the warning state of a
clock ("J-<days left>") computed at the product's now."""
import csv
import io

import epart
from epart import wait_for


def submit(stack, partner, prestation="puma", **over):
    over.setdefault("consent", {"obtained_on": "2026-09-01", "informed": True})
    r = partner.post("/v1/dossiers", epart.dossier_body(prestation, **over))
    assert r.status == 202, r
    did = r.json["id"]
    assert wait_for(lambda: not partner.get("/v1/dossiers/" + did).json.get("queued"))
    return did, r.json["reference"]


def test_counts_search_due_order_and_warning(stack, admin, org_factory):
    org = org_factory(kind="ccas", name="CCAS du tri")
    partner = stack.client(epart.partner_token(org["id"]))
    instructor = stack.client(epart.instructor_token("171"))
    admin.put("/v1/admin/clock", {"now": "2026-10-01T09:00:00Z"})
    old, old_ref = submit(stack, partner)                 # due 2026-10-31 end of day
    admin.put("/v1/admin/clock", {"now": "2026-10-20T09:00:00Z"})
    mid, mid_ref = submit(stack, partner)                 # due 2026-11-19
    started, _ = submit(stack, partner, "css")
    assert instructor.post("/v1/dossiers/%s/transitions" % started,
                           {"action": "start_instruction"}).status == 200
    closed, _ = submit(stack, partner)
    assert instructor.post("/v1/dossiers/%s/transitions" % closed,
                           {"action": "close", "reason": "doublon"}).status == 200
    admin.put("/v1/admin/clock", {"now": "2026-11-16T09:00:00Z"})
    try:
        q = "org=%s" % org["id"]
        r = instructor.get("/v1/dossiers/counts?" + q)
        assert r.status == 200, r
        assert r.json["statuses"] == {"depose": 0, "recu": 2, "en_instruction": 1,
                                      "pieces_demandees": 0, "accorde": 0, "refuse": 0,
                                      "sans_suite": 1}
        assert r.json["total"] == 4
        assert r.json["overdue"] == 1  # the oldest: breached on 2026-11-01
        r = instructor.get("/v1/dossiers/counts?prestation=css&" + q)
        assert r.json["total"] == 1 and r.json["statuses"]["en_instruction"] == 1
        # the next due time first, across running clocks; the closed one last
        items = instructor.get("/v1/dossiers?sort=due&" + q).json["items"]
        assert [d["id"] for d in items][0] == old and items[-1]["id"] == closed
        assert items[0]["deadlines"][0]["state"] == "breached"
        m = [d for d in items if d["id"] == mid][0]["deadlines"][0]
        assert m["state"] == "running" and m["in_warning"] is True and m["days_left"] == 3
        # search by reference, anywhere in it, case-insensitive
        r = instructor.get("/v1/dossiers?q=%s&%s" % (mid_ref[3:].lower(), q))
        assert [d["id"] for d in r.json["items"]] == [mid]
        r = instructor.get("/v1/dossiers?q=%s" % old_ref.lower())
        assert [d["reference"] for d in r.json["items"]] == [old_ref]
        assert instructor.get("/v1/dossiers/counts?q=%s" % old_ref).json["total"] == 1
    finally:
        admin.put("/v1/admin/clock", {"now": "2026-11-23T09:00:00Z"})


def test_counts_and_lists_are_scoped(stack, partner, pass_org, other_org):
    submit(stack, partner)
    mine = partner.get("/v1/dossiers/counts").json["total"]
    assert mine >= 1
    # another caisse's instructor sees none of caisse 171's dossiers
    far = stack.client(epart.instructor_token("751"))
    assert far.get("/v1/dossiers/counts?org=%s" % pass_org["id"]).json["total"] == 0
    # a partner's ?org= cannot widen its scope
    intruder = stack.client(epart.partner_token(other_org["id"]))
    assert intruder.get("/v1/dossiers/counts?org=%s" % pass_org["id"]).json["total"] == 0
    assert intruder.get("/v1/dossiers?org=%s" % pass_org["id"]).json["items"] == []
    assert stack.client().get("/v1/dossiers/counts").status == 401


def test_hostile_filters_are_refused(stack, instructor):
    for bad in ["q=%25", "q=' OR 1=1--", "q=" + "A" * 33, "q=", "q=EP_2026", "status=zz",
                "prestation=x", "overdue=1", "org=not-a-uuid", "q=%00", "q=%C3%A9"]:
        for path in ("/v1/dossiers?", "/v1/dossiers/counts?"):
            if path.endswith("counts?") and bad.startswith("status="):
                continue  # the counts are per status: no status filter
            r = instructor.get(path + bad.replace(" ", "%20"))
            assert r.status == 422, (path, bad, r)
            assert r.header("Content-Type") == "application/problem+json"
    assert instructor.get("/v1/dossiers?format=xml").status == 422


def test_csv_of_the_filtered_list(stack, admin, org_factory):
    org = org_factory(kind="association", name='=HYPERLINK("http://x","Assoc, "test"")')
    partner = stack.client(epart.partner_token(org["id"]))
    instructor = stack.client(epart.instructor_token("171"))
    ids = [submit(stack, partner)[0] for _ in range(2)]
    submit(stack, partner, "css")
    r = instructor.get("/v1/dossiers?sort=due&prestation=puma&org=%s" % org["id"],
                       headers={"Accept": "text/csv"})
    assert r.status == 200, r
    assert r.header("Content-Type").startswith("text/csv")
    assert 'filename="dossiers.csv"' in r.header("Content-Disposition")
    rows = list(csv.reader(io.StringIO(r.body.decode())))
    assert rows[0] == ["reference", "prestation", "organisation", "statut", "echeance",
                       "echeance_etat", "echeance_due_at", "received_on", "decided_on"]
    assert len(rows) == 3 and {x[1] for x in rows[1:]} == {"puma"}
    # a name that a spreadsheet would run as a formula is defused
    assert all(x[2].startswith("'=HYPERLINK") for x in rows[1:])
    listed = instructor.get("/v1/dossiers?sort=due&prestation=puma&org=%s" % org["id"]).json
    assert [x[0] for x in rows[1:]] == [d["reference"] for d in listed["items"]]
    assert set(ids) == {d["id"] for d in listed["items"]}
    # ?format=csv works too, and the partner gets only its own
    assert partner.get("/v1/dossiers?format=csv").body.decode().count("\r\n") == 4
    # the export is journaled
    assert wait_for(lambda: any(a["action"] == "export" for a in admin.get(
        "/v1/audit?limit=500").json["items"]), timeout=5)


def test_request_counts_and_due_order(stack, admin, org_factory):
    org = org_factory(kind="ccas", name="CCAS des signalements")
    partner = stack.client(epart.partner_token(org["id"]))
    instructor = stack.client(epart.instructor_token("171"))
    person = {"last_name": "MARTIN", "first_names": ["Paul"], "birth_date": "1975-05-12"}
    body = {"person": person, "reasons": ["autre"], "parcours": "renoncement_soins",
            "consent": {"obtained_on": "2026-09-01", "informed": True}}
    ids = []
    try:
        for now in ("2026-11-20T09:00:00Z", "2026-11-22T09:00:00Z"):
            admin.put("/v1/admin/clock", {"now": now})
            r = partner.post("/v1/signalements", body)
            assert r.status == 202, r
            ids.append(r.json["id"])
            assert wait_for(lambda: instructor.get("/v1/signalements/" + ids[-1]).json.get(
                "status") == "recu" and not instructor.get("/v1/signalements/" + ids[-1]).json.get(
                "queued"))
        admin.put("/v1/admin/clock", {"now": "2026-11-23T09:00:00Z"})
        path = "/v1/signalements/%s/transitions" % ids[1]
        doc = instructor.get("/v1/signalements/" + ids[1]).json
        assert doc["actions"] == ["pris_en_charge", "non_pertinent", "abandon"]
        assert instructor.post(path, {"action": "pris_en_charge"}).json["actions"] == [
            "en_cours", "non_pertinent", "abandon"]
        r = instructor.get("/v1/signalements/counts?org=" + org["id"])
        assert r.status == 200, r
        assert r.json["statuses"] == {"recu": 1, "pris_en_charge": 1, "en_cours": 0,
                                      "soins_realises": 0, "non_pertinent": 0, "abandon": 0}
        assert r.json["total"] == 2 and r.json["overdue"] == 1  # the first: 48 h passed
        assert partner.get("/v1/signalements/counts").json["total"] == 2
        far = stack.client(epart.instructor_token("751"))
        assert far.get("/v1/signalements/counts?org=" + org["id"]).json["total"] == 0
        assert instructor.get("/v1/rendez-vous/counts?org=zz").status == 422
        # next due time first: the breached one, then the one taken in charge (clock met) last
        items = instructor.get("/v1/signalements?sort=due&org=" + org["id"]).json["items"]
        assert [x["id"] for x in items] == ids
        assert items[0]["deadlines"][0]["state"] == "breached"
        assert instructor.get("/v1/signalements?sort=sideways").status == 422
    finally:
        admin.put("/v1/admin/clock", {"now": "2026-11-23T09:00:00Z"})
