"""Read-your-writes holds under load, while the workers persist.

Partner clients submit continuously while readers GET the ids just answered by
a 202 — the moment a worker commits them, acknowledges and deletes their stream
entries and drops their read-your-writes records. The API's GET reads
PostgreSQL, then (when the row is not there yet) the record in Redis and the
body from the stream entry; a dossier committed and acknowledged between the two
reads must not fall through both. It proves (SPEC §1): a GET of an id returned
by a 202 never answers 404 — it answers 200, `recu` before persistence — during
10 s x CHAOS_SCALE of load (longer, until 500 reads, on a slow machine) with
three workers.

See docs/chaos.md ("read-your-writes race"): with the API reading PostgreSQL
before Redis, about one such read in 50 answered 404.
"""
import random
import threading
import time

import chaoslib as C


def test_read_your_writes_while_persisting():
    duration = 10.0 * C.SCALE
    stack = C.new_stack()
    logs = {}
    try:
        C.boot(stack, 3, logs)
        _, token = C.make_partner(stack)
        load = C.Load(stack.port, token, threads=4).start()
        reads, lost = {}, []
        stop = threading.Event()
        lock = threading.Lock()

        def reader(seed):
            rnd = random.Random(seed)
            while not stop.is_set():
                recent = list(load.recent)[-40:]
                if not recent:
                    time.sleep(0.01)
                    continue
                t, id_ = rnd.choice(recent)
                st, _, doc = C.timed_get(stack.port, token, "/v1/dossiers/" + id_)
                with lock:
                    k = (st, doc.get("status") if st == 200 and doc else None)
                    reads[k] = reads.get(k, 0) + 1
                    if st != 200:
                        lost.append((st, id_, time.monotonic() - t))
        readers = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(4)]
        for r in readers:
            r.start()
        # At least `duration` of load, then until 500 reads have been made: on
        # a loaded machine the readers are slower, and the count of reads, not
        # the time, is what makes the race likely to be hit.
        deadline = time.monotonic() + 12 * duration
        time.sleep(duration)
        while time.monotonic() < deadline:
            with lock:
                if sum(reads.values()) >= 500:
                    break
            time.sleep(0.2)
        stop.set()
        for r in readers:
            r.join(timeout=30)
        load.stop()
        load.join(timeout=60)
        n = sum(reads.values())
        assert n >= 500, "too few reads: %s" % reads
        assert not lost, "%d of %d reads of a just-accepted dossier failed, e.g. %s" % (
            len(lost), n, lost[:3])
        drain_s = C.wait_drained(stack, timeout=60 * C.SCALE + 30)
        accepted = set(load.accepted_ids())
        assert C.assert_exactly_once(stack, accepted) == accepted
        C.assert_clean_queue(stack)
        C.report("read_your_writes", posts=len(load.answers), reads=n,
                 reads_by_status=sorted(reads.items()), drain_s=drain_s)
    finally:
        reports = C.finish(stack)
    assert not reports, "sanitizer reports: %s" % reports
