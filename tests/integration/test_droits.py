"""POST /v1/droits/simulation over real HTTP (SPEC §5): the seed's worked
examples, the output shape, and bad input."""


def simulate(client, body):
    return client.post("/v1/droits/simulation", body)


def test_seed_examples(partner, instructor, admin):
    r = simulate(partner, {"prestation": "ame", "received_on": "2021-04-22",
                           "situation": {"regular_stay": False, "irregular_since": "2021-01-05",
                                         "resources_under_ceiling": True,
                                         "hospitalization": {"admitted_on": "2021-04-10",
                                                             "discharged_on": None}}})
    assert r.status == 200, r
    assert r.json["eligible"] is True and r.json["start"] == "2021-04-10"
    assert r.json["end"] == "2022-04-09" and r.json["retroactive"] is True
    assert r.json["basis"] == "ame_retroactivite_soins" and r.json["refusal"] is None
    assert r.json["checks"] and all(set(c) >= {"code", "ok", "detail"} for c in r.json["checks"])
    r = simulate(instructor, {"prestation": "ame", "received_on": "2021-01-13",
                              "situation": {"regular_stay": False,
                                            "irregular_since": "2020-11-21",
                                            "resources_under_ceiling": True,
                                            "hospitalization": {"admitted_on": "2020-11-25"}}})
    assert r.status == 200
    assert r.json["eligible"] is False and r.json["start"] is None and r.json["basis"] is None
    assert r.json["refusal"] == "ame_residence_insuffisante"
    assert r.json["fallback"] == {"coverage": "soins_urgents", "start": "2020-11-25"}
    r = simulate(admin, {"prestation": "css", "received_on": "2022-04-30",
                         "deposited_on": "2022-04-30", "decided_on": "2022-05-20",
                         "situation": {"puma_start": "2010-01-01",
                                       "resources_under_ceiling": True,
                                       "hospitalization": {"admitted_on": "2022-04-10"}}})
    assert r.status == 200
    assert r.json["start"] == "2022-04-01" and r.json["basis"] == "css_hospitalisation"
    assert r.json["end"] == "2023-03-31"


def test_puma_bounds(partner):
    base = {"prestation": "puma", "received_on": "2026-09-01",
            "situation": {"puma_criterion": "residence", "regular_stay": True}}
    base["situation"]["residence_since"] = "2026-06-01"  # exactly three months
    r = simulate(partner, base)
    assert r.json["eligible"] is True and r.json["start"] == "2026-09-01"
    assert r.json["end"] is None and r.json["basis"] == "puma_reception"
    base["situation"]["residence_since"] = "2026-06-02"  # one day short
    r = simulate(partner, base)
    assert r.json["eligible"] is False
    assert r.json["refusal"] == "puma_residence_insuffisante"


def test_bad_input_is_422_with_every_field(partner):
    r = simulate(partner, {"prestation": "cmu", "received_on": "2021-02-29",
                           "situation": {"hospitalization": {"admitted_on": "2021-03-10",
                                                             "discharged_on": "2021-03-01"}}})
    assert r.status == 422
    fields = {e["field"] for e in r.json["errors"]}
    assert {"prestation", "received_on"} <= fields, r.json["errors"]
    r = simulate(partner, {"prestation": "puma", "received_on": "2021-03-01",
                           "deposited_on": "2021-03-05", "situation": {
                               "puma_criterion": "residence", "regular_stay": True,
                               "residence_since": "2020-01-01"}})
    assert r.status == 422
    assert "deposited_on" in {e["field"] for e in r.json["errors"]}
    for junk in [b"[]", b'{"prestation": 3}', b'{"situation": "x"}', b"null"]:
        r = partner.post("/v1/droits/simulation", raw=junk)
        assert r.status in (400, 422), (junk, r)
