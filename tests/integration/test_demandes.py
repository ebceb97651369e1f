"""GET /v1/demandes ("Mes demandes", SPEC §12): every request of a scope —
dossiers, signalements, rendez-vous, document requests — in one keyset-paged
list, newest first, filtered by kind, status and overdue; GET /v1/parcours;
the organisation's derived ame_first_request_allowed."""
import json
import uuid

import epart
from epart import dossier_body, wait_for

PERSON = {"last_name": "MARTIN", "first_names": ["Paul"], "birth_date": "1975-05-12",
          "phone": "0600000001"}
CONSENT = {"obtained_on": "2026-11-20", "informed": True}


def submit_all(stack, client, admin, minute=0):
    """One request of each kind, in this order, a second apart on the test clock
    (a frozen clock gives every request the same instant); returns their ids
    oldest first. The clock is left at the last one."""
    ids = []
    for n, (path, body) in enumerate((
            ("/v1/dossiers", dossier_body("puma")),
            ("/v1/signalements", {"person": dict(PERSON), "reasons": ["numerique"],
                                  "parcours": "inclusion_numerique", "consent": CONSENT}),
            ("/v1/rendez-vous", {"person": dict(PERSON), "site": "Accueil de La Rochelle",
                                 "reason": "Dossier CSS", "availability": ["mardi matin"]}),
            ("/v1/demandes-document", {"person": dict(PERSON), "document": "attestation_droits",
                                       "channel": "courrier"}),
            ("/v1/dossiers", dossier_body("ame", first_request=True, transmit=False,
                                          deposited_on="2026-11-20")))):
        admin.put("/v1/admin/clock", {"now": "2026-11-23T09:%02d:%02dZ" % (minute, n)})
        r = client.post(path, body)
        assert r.status == 202, r
        ids.append(r.json["id"])
    inlist = ",".join("'%s'" % i for i in ids)
    assert wait_for(lambda: stack.psql(
        "SELECT (SELECT count(*) FROM dossiers WHERE id IN (%s)) + "
        "(SELECT count(*) FROM requests WHERE id IN (%s))" % (inlist, inlist)) == str(len(ids)))
    return ids


def test_every_kind_newest_first_with_clocks(stack, admin, org_factory):
    admin.put("/v1/admin/clock", {"now": "2026-11-23T09:00:00Z"})
    org = org_factory(kind="pass_ville", name="PASS des demandes")
    partner = stack.client(epart.partner_token(org["id"]))
    ids = submit_all(stack, partner, admin)
    r = partner.get("/v1/demandes")
    assert r.status == 200, r
    items = r.json["items"]
    assert [x["id"] for x in items] == list(reversed(ids))
    assert r.json["next_cursor"] is None
    kinds = [x["kind"] for x in items]
    assert kinds == ["dossier", "demande_document", "rendez_vous", "signalement", "dossier"]
    by_kind = {x["kind"]: x for x in items}
    assert items[0]["status"] == "depose" and items[0]["first_request"] is True
    assert items[0]["path"] == "/v1/dossiers/" + ids[4]
    assert items[0]["deadlines"][0]["clock"] == "transmission"
    assert items[0]["deadlines"][0]["state"] == "running"
    sg = by_kind["signalement"]
    assert sg["reference"].startswith("SG-") and sg["status"] == "recu"
    assert sg["parcours"] == "inclusion_numerique"
    assert sg["path"] == "/v1/signalements/" + ids[1]
    assert sg["deadlines"][0]["clock"] == "prise_en_charge"
    assert sg["deadlines"][0]["due_at"] == "2026-11-25T09:00:01Z"
    assert by_kind["rendez_vous"]["site"] == "Accueil de La Rochelle"
    assert by_kind["rendez_vous"]["path"] == "/v1/rendez-vous/" + ids[2]
    assert by_kind["demande_document"]["document"] == "attestation_droits"
    assert by_kind["demande_document"]["path"] == "/v1/demandes-document/" + ids[3]
    assert items[4]["prestation"] == "puma" and items[4]["status"] == "recu"
    assert items[4]["person"] == {"last_name": "DUPONT", "first_names": ["Marie"]}
    # a summary: the person's other data stays behind GET of the request
    text = json.dumps(items)
    assert "0600000000" not in text and "0600000001" not in text and "1980-02-29" not in text
    for x in items:
        g = partner.get(x["path"])
        assert g.status == 200 and g.json["reference"] == x["reference"]


def test_filters_and_keyset_pages(stack, admin, org_factory):
    admin.put("/v1/admin/clock", {"now": "2026-11-23T09:00:00Z"})
    org = org_factory(kind="pass_ville", name="PASS des pages")
    partner = stack.client(epart.partner_token(org["id"]))
    ids = submit_all(stack, partner, admin) + submit_all(stack, partner, admin, 1)
    seen, cursor, pages = [], None, 0
    while True:
        r = partner.get("/v1/demandes?limit=3" + ("&cursor=" + cursor if cursor else ""))
        assert r.status == 200, r
        assert len(r.json["items"]) <= 3
        seen += [x["id"] for x in r.json["items"]]
        pages += 1
        cursor = r.json["next_cursor"]
        if cursor is None:
            break
    assert pages == 4 and seen == list(reversed(ids))
    dossiers = partner.get("/v1/demandes?kind=dossier").json["items"]
    assert {x["kind"] for x in dossiers} == {"dossier"} and len(dossiers) == 4
    deposes = partner.get("/v1/demandes?status=depose").json["items"]
    assert [x["id"] for x in deposes] == [ids[9], ids[4]]
    rdv = partner.get("/v1/demandes?kind=rendez_vous&status=demande").json["items"]
    assert [x["id"] for x in rdv] == [ids[7], ids[2]]
    # "demande" is a status of two kinds: without kind both come
    demande = partner.get("/v1/demandes?status=demande").json["items"]
    assert {x["kind"] for x in demande} == {"rendez_vous", "demande_document"}
    assert partner.get("/v1/demandes?kind=signalement&status=soins_realises").json["items"] == []
    page = partner.get("/v1/demandes?kind=signalement&limit=1").json
    assert len(page["items"]) == 1 and page["next_cursor"]
    nxt = partner.get("/v1/demandes?kind=signalement&limit=1&cursor=" + page["next_cursor"])
    assert [x["id"] for x in nxt.json["items"]] == [ids[1]] and nxt.json["next_cursor"] is None


def test_overdue_keeps_breached_clocks(stack, admin, org_factory):
    admin.put("/v1/admin/clock", {"now": "2026-11-23T09:00:00Z"})
    org = org_factory(kind="pass_ville", name="PASS en retard")
    partner = stack.client(epart.partner_token(org["id"]))
    ids = submit_all(stack, partner, admin)
    assert partner.get("/v1/demandes?overdue=true").json["items"] == []
    # 48 h of the signalement and 24 h of the rendez-vous passed; 30 days not yet
    admin.put("/v1/admin/clock", {"now": "2026-11-26T09:00:00Z"})
    late = partner.get("/v1/demandes?overdue=true").json["items"]
    assert [x["id"] for x in late] == [ids[2], ids[1]]
    assert all("breached" in [d["state"] for d in x["deadlines"]] for x in late)
    assert partner.get("/v1/demandes?overdue=false").json["items"] != []
    # the alerts name the request they are about by its reference too
    refs = {x["id"]: x["reference"] for x in late}
    alerts = wait_for(lambda: [a for a in partner.get("/v1/alerts?limit=500").json["items"]
                               if a["object"]["id"] in refs and a["level"] == "breach"])
    assert alerts and all(a["object"]["reference"] == refs[a["object"]["id"]] for a in alerts)
    admin.put("/v1/admin/clock", {"now": "2026-11-23T09:00:00Z"})


def test_scope_other_organisations_and_caisses(stack, admin, org_factory, other_org):
    admin.put("/v1/admin/clock", {"now": "2026-11-23T09:00:00Z"})
    org = org_factory(kind="pass_hospitaliere", name="PASS hospitalière des demandes")
    partner = stack.client(epart.partner_token(org["id"]))
    ids = set(submit_all(stack, partner, admin))
    intruder = stack.client(epart.partner_token(other_org["id"]))
    assert not ids & {x["id"] for x in intruder.get("/v1/demandes?limit=500").json["items"]}
    # asking for another organisation's requests narrows nothing: the token's scope wins
    r = intruder.get("/v1/demandes?limit=500&org=" + org["id"])
    assert r.status == 200 and not ids & {x["id"] for x in r.json["items"]}
    elsewhere = stack.client(epart.instructor_token("751"))
    assert not ids & {x["id"] for x in elsewhere.get("/v1/demandes?limit=500").json["items"]}
    caisse = stack.client(epart.instructor_token("171"))
    listed = caisse.get("/v1/demandes?limit=500&org=" + org["id"]).json["items"]
    assert {x["id"] for x in listed} == ids
    listed = admin.get("/v1/demandes?limit=500&org=" + org["id"]).json["items"]
    assert {x["id"] for x in listed} == ids
    # another organisation's cursor shows nothing of it either
    first = partner.get("/v1/demandes?limit=1").json
    r = intruder.get("/v1/demandes?limit=500&cursor=" + first["next_cursor"])
    assert r.status == 200 and not ids & {x["id"] for x in r.json["items"]}
    assert stack.client().get("/v1/demandes").status == 401


def test_hostile_parameters(stack, partner):
    bad = {
        "kind=foo": "kind",
        "kind=dossier%27%3B%20DROP%20TABLE%20dossiers%3B--": "kind",
        "status=%27%20OR%201%3D1--": "status",
        "kind=dossier&status=pris_en_charge": "status",
        "kind=signalement&status=accorde": "status",
        "status=": "status",
        "overdue=yes": "overdue",
        "org=..%2F..%2Fetc": "org",
        "limit=0": "limit",
        "limit=-5": "limit",
        "limit=abc": "limit",
        "limit=99999999999999999999": "limit",
        "cursor=not-a-cursor": "cursor",
        "cursor=" + "A" * 5000: "cursor",
    }
    for query, field in bad.items():
        r = partner.get("/v1/demandes?" + query)
        assert r.status == 422, (query, r)
        assert field in [f for f, _ in r.error_codes()], (query, r.error_codes())
        assert r.json["errors"][0]["message"], r
    r = partner.get("/v1/demandes?limit=100000")
    assert r.status == 200
    assert stack.psql("SELECT count(*) > 0 FROM dossiers") == "t"


def test_one_journal_row_per_item(stack, admin, org_factory):
    admin.put("/v1/admin/clock", {"now": "2026-11-23T09:00:00Z"})
    org = org_factory(kind="pass_ville", name="PASS journalisé")
    sub = "agent-" + uuid.uuid4().hex[:8]
    partner = stack.client(epart.partner_token(org["id"], sub=sub))
    ids = submit_all(stack, partner, admin)
    items = partner.get("/v1/demandes?limit=4").json["items"]
    assert len(items) == 4

    def rows():
        out = stack.psql("SELECT object_type || ' ' || object_id FROM audit_journal "
                         "WHERE sub = '%s' AND action = 'list' ORDER BY object_id" % sub)
        return sorted(out.split("\n")) if out else []
    expected = sorted("%s %s" % (x["kind"], x["id"]) for x in items)
    assert wait_for(lambda: rows() == expected), (rows(), expected)
    assert ids[0] not in " ".join(rows())  # the fifth, not returned, not journaled


def test_parcours_with_labels(stack, partner):
    r = partner.get("/v1/parcours")
    assert r.status == 200
    items = r.json["items"]
    assert len(items) == 26 and len({x["code"] for x in items}) == 26
    assert {"code": "renoncement_soins", "label": "Renoncement aux soins",
            "theme": "acces_droits_soins",
            "theme_label": "Accès aux droits et aux soins"} in items
    # every code offered is one the API accepts, and nothing else is
    for x in items:
        assert x["label"] and x["theme_label"]
    assert stack.client().get("/v1/parcours").status == 401


def test_organisation_says_whether_ame_first_requests_are_allowed(stack, admin, org_factory):
    cases = [("pass_ville", False, True), ("pass_hospitaliere", False, True),
             ("etablissement_sante", False, True), ("france_services", True, True),
             ("france_services", False, False), ("ccas", True, False), ("siao", False, False)]
    for kind, habilitation, allowed in cases:
        org = org_factory(kind=kind, ame_habilitation=habilitation)
        own = stack.client(epart.partner_token(org["id"])).get("/v1/organisations/" + org["id"])
        assert own.status == 200 and own.json["ame_first_request_allowed"] is allowed, (kind, own)
        # the API agrees with what it advertises
        r = stack.client(epart.partner_token(org["id"])).post(
            "/v1/dossiers", dossier_body("ame", first_request=True, deposited_on="2026-11-20"))
        assert (r.status == 202) is allowed, (kind, habilitation, r)
    p = admin.patch("/v1/organisations/" + org["id"], {"ame_first_request_allowed": True})
    assert p.status in (400, 422), p
