"""`make run` itself survives a SIGKILL of each kind of process it starts
(SPEC §11; issue 9, finding 1).

Not the chaos harness's own stack: `make run` (GNU make, deploy/run.sh and its
supervision) on its own ports and state directory, two workers, under
continuous partner submissions. One after another the API, each worker, Redis
and the PostgreSQL postmaster are SIGKILLed; after each, the test measures how
long until the API answers /readyz again and accepts a dossier again (at most
RECOVERY_S), while the supervisor log shows the restart. At the end every id
answered 202 is in PostgreSQL exactly once with one submit event, the stream is
drained and nothing is dead-lettered. Bounded: about a minute.
"""
import os
import re
import signal
import time

import chaoslib as C
import epart

RECOVERY_S = 15


def ready(run):
    status, _, _ = C.timed_get(run.port, epart.admin_token(), "/readyz", timeout=2)
    return status == 200


def test_make_run_survives_sigkill_of_each_process():
    run = epart.MakeRun(workers=2, extra_env=dict(C.BASE_ENV))
    figures = {}
    killed_logs = set()
    try:
        run.start()
        _, token = C.make_partner(run)
        load = C.Load(run.port, token, threads=4, pause=0.01).start()
        time.sleep(2)
        for victim in ("api", "worker-1", "worker-2", "redis", "postgresql"):
            if victim in ("redis", "postgresql"):
                pid = run.store_pid(victim)
            else:
                pid = run.pids()[victim]
                killed_logs.add(victim + ".log")
            assert pid and C.pid_alive(pid), victim
            accepted_before = len(load.recent)
            t0 = time.monotonic()
            os.kill(pid, signal.SIGKILL)
            assert C.wait_for_true(lambda: re.search(
                r"%s \(pid \d+\) exited \(killed by signal 9\)" % victim,
                run.supervisor_log()), timeout=10), run.supervisor_log()[-1500:]
            assert C.wait_for_true(lambda: ready(run), timeout=RECOVERY_S, interval=0.1), \
                "%s: /readyz did not answer 200 within %d s" % (victim, RECOVERY_S)
            t_ready = time.monotonic() - t0
            assert C.wait_for_true(lambda: any(t > t0 + t_ready for t, _ in list(load.recent)),
                                   timeout=RECOVERY_S, interval=0.1), \
                "%s: no dossier accepted again within %d s" % (victim, RECOVERY_S)
            figures[victim + "_ready_s"] = t_ready
            figures[victim + "_accepting_s"] = min(t for t, _ in list(load.recent)
                                                   if t > t0 + t_ready) - t0
            assert len(load.recent) > accepted_before
            time.sleep(1.5)
        load.stop()
        load.join(timeout=60)
        drain_s = C.wait_drained(run, timeout=60)
        accepted = load.accepted_ids()
        assert len(accepted) > 100, load.by_status()
        ids = C.assert_exactly_once(run, accepted)
        assert set(accepted) <= ids
        C.assert_clean_queue(run)
        restarts = run.supervisor_log().count("started again")
        assert restarts >= 5, run.supervisor_log()
        C.report("make_run_sigkill", accepted=len(accepted), statuses=load.by_status(),
                 restarts=restarts, drain_s=drain_s, **figures)
    finally:
        run.stop()
    try:
        assert not run.sanitizer_reports(skip=killed_logs), run.sanitizer_reports(killed_logs)
    finally:
        run.cleanup()
