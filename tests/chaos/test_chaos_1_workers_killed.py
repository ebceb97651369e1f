"""Workers SIGKILLed again and again during a burst lose nothing and double
nothing.

Three workers consume the stream while concurrent partner clients submit a burst
of dossiers (3 000 x CHAOS_SCALE). Every few hundred milliseconds one, two or all
workers are SIGKILLed — mid-batch, mid-transaction, between COMMIT and XACK,
wherever they happen to be — and replaced. The entries a dead consumer held are
claimed by the survivors (XAUTOCLAIM after EPART_CLAIM_IDLE_MS, default 5 s) and
persisted idempotently. At the end: every id answered by a 202 is in PostgreSQL
exactly once with exactly one `submit` event, no row is doubled, the stream and
its pending list are empty, nothing is dead-lettered, and no sanitizer reported
anything (except in the logs of the killed workers, which run no leak check).
"""
import os
import random
import time

import chaoslib as C


def test_workers_sigkilled_during_burst():
    total = C.scaled(3000)
    seed = int(os.environ.get("CHAOS_SEED") or time.time())
    rnd = random.Random(seed)
    stack = C.new_stack()
    logs, killed = {}, set()
    kills = 0
    try:
        C.boot(stack, 3, logs)
        _, token = C.make_partner(stack)
        live = [w for w in logs]
        load = C.Load(stack.port, token, threads=8, total=total).start()
        while load.running():
            time.sleep(rnd.uniform(0.15, 0.5))
            roll = rnd.random()
            victims = (rnd.sample(live, 1) if roll < 0.7 else
                       rnd.sample(live, 2) if roll < 0.9 else list(live))
            for w in victims:
                C.kill9(stack, w, killed, logs)
                live.remove(w)
                kills += 1
            if len(victims) == 3:
                time.sleep(0.3)  # a moment with no worker at all
            while len(live) < 3:
                live.append(C.spawn_worker(stack, logs))
        load.join(timeout=120)
        burst_s = load.ended_at - load.started_at
        backlog_at_end = C.xlen(stack)
        drain_s = C.wait_drained(stack, timeout=60 * C.SCALE + 30)

        statuses = load.by_status()
        assert statuses == {202: total}, "a healthy API must accept the whole burst: %s" % statuses
        accepted = load.accepted_ids()
        assert len(set(accepted)) == total
        ids = C.assert_exactly_once(stack, accepted)
        assert ids == set(accepted), "%d rows not answered by a 202" % len(ids - set(accepted))
        C.assert_clean_queue(stack)
        assert stack.api.poll() is None, "the API died"
        assert all(w.poll() is None for w in live), "a worker died on its own"
        lat = [a.t1 - a.t0 for a in load.answers]
        C.report("workers_killed", seed=seed, dossiers=total, kills=kills,
                 workers_started=len(logs), burst_s=burst_s, rate_per_s=total / burst_s,
                 post_p50_ms=1000 * C.percentile(lat, 50), post_p99_ms=1000 * C.percentile(lat, 99),
                 backlog_at_burst_end=backlog_at_end, drain_s=drain_s,
                 claims=C.log_count(stack, "claimed"))
    finally:
        reports = C.finish(stack, killed)
    assert not reports, "sanitizer reports: %s" % reports
