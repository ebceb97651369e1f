"""A call that waits for a database thread longer than EPART_DB_TIMEOUT_MS is
answered 503 at once and never runs (api/core/dbpool.c, SPEC §1): its answer
goes through the same path as every other (api/core/server.c), so it carries
the headers of every answer and is counted in /metrics under its route."""
import threading
import time

import epart


def test_a_call_queued_past_its_deadline_gets_a_full_503():
    # one database thread, held by a read blocked on a lock; the next read queues
    s = epart.Stack(workers=1, extra_env={"EPART_DB_THREADS": "1",
                                          "EPART_DB_TIMEOUT_MS": "300"}).start()
    try:
        admin = s.client(epart.admin_token())
        org = admin.post("/v1/organisations", epart.organisation_body()).json
        locker = threading.Thread(target=s.psql, args=(
            "BEGIN; LOCK TABLE organisations IN ACCESS EXCLUSIVE MODE; "
            "SELECT pg_sleep(3); COMMIT;",))
        locker.start()
        assert epart.wait_for(lambda: s.psql(
            "SELECT count(*) FROM pg_locks WHERE relation = 'organisations'::regclass "
            "AND mode = 'AccessExclusiveLock' AND granted") == "1", timeout=10)
        first = {}
        holder = threading.Thread(target=lambda: first.update(
            r=admin.get("/v1/organisations/" + org["id"])))
        holder.start()
        assert epart.wait_for(lambda: s.psql(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'epart' "
            "AND wait_event_type = 'Lock'") == "1", timeout=10)

        t0 = time.monotonic()
        r = admin.get("/v1/organisations")
        waited = time.monotonic() - t0
        assert r.status == 503, r
        assert waited < 2.5, waited  # the deadline, not the lock's 3 s
        assert r.header("Content-Type") == "application/problem+json"
        assert r.header("Retry-After") == "1"
        assert r.header("Cache-Control") == "no-store"
        assert r.header("X-Content-Type-Options") == "nosniff"
        assert r.json == {"type": "https://epart.fr/problems/503",
                          "title": "Service indisponible", "status": 503,
                          "detail": "La base de données ne répond pas ; "
                                    "réessayez dans quelques secondes."}, r.json

        holder.join(15)
        locker.join(15)
        assert first["r"].status == 200, first["r"]
        # the call came back unrun and was freed: the next read is served
        assert admin.get("/v1/organisations").status == 200
        metrics = s.client().get("/metrics").body.decode()
        assert ('epart_http_requests_total{method="GET",route="/v1/organisations",'
                'code="5xx"} 1') in metrics, metrics
    finally:
        reports = s.stop()
    assert not reports, reports
