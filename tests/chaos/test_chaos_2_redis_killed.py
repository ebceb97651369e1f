"""Redis SIGKILLed under load, then restarted: every 202 survives, and no 202 is
given while Redis is down.

Partner clients submit continuously, each submission with its own
Idempotency-Key and retried (same key, same body) after any answer other than a
202, as a partner should. The workers are frozen (SIGSTOP) for a second before
the kill so that a backlog of accepted dossiers exists only in Redis, then
`kill -9` hits redis-server (its pid file under the stack's state directory) and
the workers are resumed. For a few seconds (3 s x CHAOS_SCALE) the clients keep
submitting: every answer is recorded with its timestamps, and /readyz is polled.
Redis is restarted (`stack.sh redis-start`, which replays the append-only file)
and the load continues.

It proves: while Redis is down the API answers 503 to every submission (a 202
sent after the kill and answered before the restart is a failure, and so is no
answer at all) and /readyz reports `redis: down`; after the restart every
submission gets its 202, a retried key gets back the same id (the idempotency
record survived too), every id answered by a 202 — including those accepted
just before the kill and not yet persisted — reaches PostgreSQL exactly once,
and no dossier exists that was not answered by a 202 (nothing half-done).
AOF with `appendfsync always` (deploy/redis.conf) is what makes this true.
"""
import os
import signal
import time

import chaoslib as C


def test_redis_sigkilled_under_load():
    outage_s = 3.0 * C.SCALE
    stack = C.new_stack()
    logs, killed = {}, set()
    try:
        C.boot(stack, 2, logs)
        _, token = C.make_partner(stack)
        load = C.Load(stack.port, token, threads=6, retry=True, settle=60).start()
        time.sleep(1.5 * C.SCALE)

        # a backlog that exists only in Redis: freeze the workers a moment
        for w in logs:
            w.send_signal(signal.SIGSTOP)
        time.sleep(1.0)
        pid = int(open(os.path.join(stack.state, "run", "redis.pid")).read())
        backlog_at_kill = C.xlen(stack)
        os.kill(pid, signal.SIGKILL)
        while C.pid_alive(pid):
            time.sleep(0.005)
        t_kill = time.monotonic()
        for w in logs:
            w.send_signal(signal.SIGCONT)
        time.sleep(0.3)
        persisted_at_kill = C.db_ids(stack)

        readyz = []
        while time.monotonic() - t_kill < outage_s:
            st, dt, doc = C.timed_get(stack.port, token, "/readyz")
            readyz.append((st, dt, doc))
            time.sleep(0.25)
        t_restart = time.monotonic()
        stack.sh("redis-start")
        t_up = time.monotonic()
        backlog_after_restart = C.wait_for_int(lambda: C.xlen(stack), timeout=10)
        time.sleep(2.0 * C.SCALE)
        load.stop()
        load.join(timeout=120)

        # -- while Redis was down: 503, never 202, never silence
        during = [a for a in load.answers if a.t0 > t_kill and a.t1 < t_restart]
        assert len(during) >= 10, "too few submissions during the outage: %d" % len(during)
        accepted_while_down = [a for a in during if a.status == 202]
        assert not accepted_while_down, "202 while Redis was down: %s" % accepted_while_down[:5]
        not_503 = [a for a in during if a.status != 503]
        assert not not_503, "answers other than 503 while Redis was down: %s" % not_503[:5]
        assert readyz, "no /readyz poll during the outage"
        for st, _, doc in readyz:
            assert st == 503 and doc and doc.get("redis") == "down", (st, doc)

        # -- every submission got its 202, with one id per key
        assert not load.unresolved, "%d submissions never accepted" % len(load.unresolved)
        per_key = {}
        for a in load.answers:
            if a.status == 202:
                per_key.setdefault(a.key, set()).add(a.id)
        assert all(len(v) == 1 for v in per_key.values()), "a key answered with two ids"
        accepted = {next(iter(v)) for v in per_key.values()}
        accepted_before_kill = {a.id for a in load.answers if a.status == 202 and a.t1 < t_kill}
        only_in_redis = accepted_before_kill - persisted_at_kill
        assert only_in_redis, "the scenario needs dossiers held only by Redis at the kill"

        drain_s = C.wait_drained(stack, timeout=60 * C.SCALE + 30)
        ids = C.assert_exactly_once(stack, accepted)
        assert ids == accepted, "%d dossiers persisted without a 202" % len(ids - accepted)
        C.assert_clean_queue(stack)
        assert stack.api.poll() is None, "the API died"
        assert all(w.poll() is None for w in logs), "a worker died"

        after = sorted(a.t1 for a in load.answers if a.status == 202 and a.t0 >= t_restart)
        lat_down = [a.t1 - a.t0 for a in during]
        C.report("redis_killed", submissions=len(accepted), answers=len(load.answers),
                 backlog_at_kill=backlog_at_kill, only_in_redis_at_kill=len(only_in_redis),
                 backlog_after_restart=backlog_after_restart, outage_s=t_restart - t_kill,
                 answers_during_outage=len(during),
                 outage_503_p99_ms=1000 * C.percentile(lat_down, 99),
                 readyz_polls=len(readyz), restart_s=t_up - t_restart,
                 first_202_after_up_s=(after[0] - t_up) if after else -1.0,
                 retried_keys=sum(1 for a in load.answers if a.attempt > 0 and a.status == 202),
                 drain_s=drain_s)
    finally:
        for w in logs:
            if w.poll() is None:
                w.send_signal(signal.SIGCONT)
        reports = C.finish(stack, killed)
    assert not reports, "sanitizer reports: %s" % reports
