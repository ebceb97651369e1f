"""A worker that dies (or stalls) between COMMIT and XACK is covered by the
consumer group's claim and the idempotent persistence.

test_dead_consumer_after_commit: the workers are stopped and dossiers are
submitted; a fake consumer ("ghost") reads them all with XREADGROUP and never
acknowledges them, as a worker killed before its XACK. For half of them the
commit is made to happen anyway: an identical copy of the entry is appended to
the stream, which a real worker persists at once — so those dossiers are in
PostgreSQL while their original entries sit pending under the dead consumer,
exactly the state a kill between COMMIT and XACK leaves. Workers are started:
XAUTOCLAIM (EPART_CLAIM_IDLE_MS, default 5 s) takes the ghost's entries over,
and each dossier ends up persisted exactly once (the redelivered originals of
the committed half wrote nothing: their single `submit` event names the copy's
stream id), the ghost holds nothing any more and the stream is empty.

test_frozen_worker_resumes: one of two workers is frozen (SIGSTOP) in the
middle of a burst for longer than the claim delay, so the other claims and
persists what the frozen one held (waiting, if need be, for its open
transaction), then the frozen worker resumes (SIGCONT), finishes its batch and
acknowledges entries already acknowledged. Nothing is lost or doubled.
"""
import json
import signal
import time

import chaoslib as C


def test_dead_consumer_after_commit():
    stack = C.new_stack({"EPART_CLAIM_IDLE_MS": "5000"})
    logs = {}
    try:
        C.boot(stack, 2, logs)
        _, token = C.make_partner(stack)
        warm = C.Load(stack.port, token, threads=2, total=20).start().join(timeout=60)
        C.wait_drained(stack, timeout=30)
        for w in list(logs):
            stack.stop_process(w)

        n = C.scaled(400)
        load = C.Load(stack.port, token, threads=4, total=n).start().join(timeout=120)
        assert load.by_status() == {202: n}
        r = C.Resp(int(stack.env["EPART_REDIS_PORT"]), stack=stack)
        reply = r("XREADGROUP", "GROUP", C.GROUP, "ghost", "COUNT", n + 10,
                  "STREAMS", C.STREAM, ">")
        entries = reply[0][1]
        assert len(entries) == n
        t_ghost = time.monotonic()
        originals, copies = {}, {}  # dossier id -> stream id
        for k, (sid, flat) in enumerate(entries):
            f = C.entry_fields(flat)
            did = json.loads(f["meta"])["id"]
            originals[did] = sid.decode()
            if k % 2 == 0:
                copies[did] = r("XADD", C.STREAM, "*", "type", f["type"], "meta", f["meta"],
                                "body", f["body"]).decode()
        for _ in range(2):
            C.spawn_worker(stack, logs)
        t_workers = time.monotonic()

        # the copies are committed while the originals still sit with the ghost
        def copies_in_db():
            got = stack.psql("SELECT count(*) FROM dossiers WHERE id IN (%s)"
                             % ",".join("'%s'" % i for i in copies))
            return int(got) == len(copies)
        assert C.wait_for_true(copies_in_db, timeout=20)
        t_copies = time.monotonic()
        ghost_pending = dict((c[0].decode(), int(c[1])) for c in r("XPENDING", C.STREAM,
                                                                   C.GROUP)[3] or [])
        if t_copies - t_ghost < 4.5:  # before XAUTOCLAIM could take anything
            assert ghost_pending.get("ghost") == n, ghost_pending

        drain_s = C.wait_drained(stack, timeout=60)
        t_drained = time.monotonic()
        after = r("XPENDING", C.STREAM, C.GROUP)
        assert after[0] == 0, after
        r.close()

        accepted = set(warm.accepted_ids()) | set(load.accepted_ids())
        ids = C.assert_exactly_once(stack, accepted)
        assert ids == accepted
        events = dict(line.split("|") for line in stack.psql(
            "SELECT dossier_id, detail->>'stream_id' FROM dossier_events "
            "WHERE detail->>'action' = 'submit'").splitlines())
        for did, sid in originals.items():
            want = copies.get(did, sid)
            assert events[did] == want, (did, events[did], want)
        C.assert_clean_queue(stack)
        C.report("claim_after_commit", entries=n, committed_before_claim=len(copies),
                 copies_persisted_s=t_copies - t_workers, drained_after_start_s=t_drained - t_workers,
                 drain_s=drain_s, claims=C.log_count(stack, "claimed"))
    finally:
        reports = C.finish(stack)
    assert not reports, "sanitizer reports: %s" % reports


def test_frozen_worker_resumes():
    stack = C.new_stack({"EPART_CLAIM_IDLE_MS": "2000"})
    logs = {}
    frozen = None
    try:
        C.boot(stack, 2, logs)
        _, token = C.make_partner(stack)
        total = C.scaled(2000)
        load = C.Load(stack.port, token, threads=6, total=total).start()
        while load.count() < total // 4:
            time.sleep(0.01)
        frozen = list(logs)[0]
        frozen.send_signal(signal.SIGSTOP)
        t_freeze = time.monotonic()
        time.sleep(5.0)  # longer than EPART_CLAIM_IDLE_MS: the other claims
        frozen.send_signal(signal.SIGCONT)
        frozen = None
        load.join(timeout=120)
        drain_s = C.wait_drained(stack, timeout=60)
        assert load.by_status() == {202: total}
        accepted = set(load.accepted_ids())
        assert C.assert_exactly_once(stack, accepted) == accepted
        C.assert_clean_queue(stack)
        assert all(w.poll() is None for w in logs), "a worker died"
        C.report("frozen_worker", dossiers=total, frozen_s=5.0,
                 claims=C.log_count(stack, "claimed"), drain_s=drain_s,
                 total_s=time.monotonic() - t_freeze)
    finally:
        if frozen is not None:
            frozen.send_signal(signal.SIGCONT)
        reports = C.finish(stack)
    assert not reports, "sanitizer reports: %s" % reports
