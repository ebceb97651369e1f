"""Poison entries are dead-lettered and the others flow.

With EPART_MAX_TRIES=3 and EPART_CLAIM_IDLE_MS=500, three kinds of poison are
appended straight to the stream (XADD) between normal submissions of concurrent
partner clients:
- an entry the worker cannot even parse (`meta` with id "not-a-uuid", body {});
- an entry of an unknown type;
- a well-formed dossier.create (valid uuid, organisation, caisse, receipt
  instant, a complete body) that fails *in SQL*: its `deposited_on` is
  "2026-02-30", which C passes along untouched and PostgreSQL's ::date refuses
  (SQLSTATE 22008) — so it also poisons the batch transaction it lands in, and
  the worker must retry the batch entry by entry.
It proves: each poison entry ends up in `epart:ingest:dead` (with its original
id and its number of tries) and is gone from the main stream and its pending
list; every normal dossier is persisted exactly once; the failure counters are
cleaned up; and nothing blocks — the stream drains within seconds.
"""
import json
import time
import uuid

import chaoslib as C
import epart


def sql_poison(org_id):
    now_us = int(time.time() * 1e6)
    meta = {"v": 1, "entry": str(uuid.uuid4()), "id": str(uuid.uuid4()),
            "reference": "EP-POISON-%d" % (now_us % 1000000), "org": org_id, "caisse": "171",
            "org_kind": "pass_ville", "ame_habilitated": True,
            "actor": {"sub": "chaos", "role": "partner"}, "remote": "127.0.0.1",
            "status": "recu", "received_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "received_at_us": now_us, "received_on": time.strftime("%Y-%m-%d", time.gmtime()),
            "ame_deposit_on": None}
    body = epart.dossier_body("puma", deposited_on="2026-02-30")
    return meta, body


def test_poison_entries_are_dead_lettered():
    stack = C.new_stack({"EPART_MAX_TRIES": "3", "EPART_CLAIM_IDLE_MS": "500"})
    logs = {}
    try:
        C.boot(stack, 2, logs)
        org, token = C.make_partner(stack)
        r = C.Resp(int(stack.env["EPART_REDIS_PORT"]), stack=stack)
        total = C.scaled(600)
        load = C.Load(stack.port, token, threads=4, total=total, pause=0.005).start()
        poisons = {}  # stream id -> kind
        sql_ids = []
        rounds = 3
        for k in range(rounds):
            while load.count() < (k + 1) * total // (rounds + 1):
                time.sleep(0.01)
            sid = r("XADD", C.STREAM, "*", "type", "dossier.create",
                    "meta", '{"v":1,"id":"not-a-uuid"}', "body", "{}").decode()
            poisons[sid] = "malformed"
            meta, body = sql_poison(org["id"])
            sid = r("XADD", C.STREAM, "*", "type", "dossier.create",
                    "meta", json.dumps(meta), "body", json.dumps(body)).decode()
            poisons[sid] = "sql"
            sql_ids.append(meta["id"])
            sid = r("XADD", C.STREAM, "*", "type", "dossier.teleport",
                    "meta", json.dumps({"v": 1, "id": str(uuid.uuid4())}), "body", "{}").decode()
            poisons[sid] = "unknown type"
        t_last = time.monotonic()
        load.join(timeout=120)

        dead_s = None
        while time.monotonic() - t_last < 30:
            if C.xlen(stack, C.DEAD) >= len(poisons):
                dead_s = time.monotonic() - t_last
                break
            time.sleep(0.05)
        assert dead_s is not None, "poison not dead-lettered: dead=%d of %d" % (
            C.xlen(stack, C.DEAD), len(poisons))
        drain_s = C.wait_drained(stack, timeout=30)

        dead = r("XRANGE", C.DEAD, "-", "+")
        fields = [C.entry_fields(e[1]) for e in dead]
        assert sorted(f["original_id"].decode() for f in fields) == sorted(poisons)
        assert all(int(f["tries"]) == 3 for f in fields), [f["tries"] for f in fields]
        for sid in poisons:
            assert r("XRANGE", C.STREAM, sid, sid) == []
        # the SQL poison failed in PostgreSQL, not in the C parsing
        for sid, kind in poisons.items():
            if kind == "sql":
                assert C.log_count(stack, "entry %s (dossier.create) failed: SQLSTATE 22008"
                                   % sid) >= 1, "no SQL failure logged for " + sid
        r.close()

        statuses = load.by_status()
        assert statuses == {202: total}, statuses
        accepted = set(load.accepted_ids())
        ids = C.assert_exactly_once(stack, accepted)
        assert ids == accepted
        assert not ids & set(sql_ids)
        assert stack.redis("HLEN", "epart:ingest:failures") == "0"
        assert C.pending_records(stack) == 0
        assert all(w.poll() is None for w in logs), "a worker died"
        C.report("poison", dossiers=total, poison_entries=len(poisons),
                 dead_lettered_within_s=dead_s, drain_s=drain_s,
                 entry_failures_logged=C.log_count(stack, "persist: entry"))
    finally:
        reports = C.finish(stack)
    assert not reports, "sanitizer reports: %s" % reports
