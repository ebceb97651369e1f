"""`make run` supervises what it starts and stops whole (SPEC §11; issue 9,
findings 1 and 10).

Before: a worker killed with SIGKILL made deploy/run.sh stop everything; a
SIGTERM sent to the process group of make run (systemd, docker stop; GNU make
forwards its own) killed run.sh in the middle of its stop, leaving Redis and
PostgreSQL running, and killed the API (second SIGTERM) before its audit buffer
was flushed.
"""
import os
import re
import signal
import subprocess
import threading
import time
import uuid

import epart


def alive(pid):
    if pid is None:
        return False
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_log(run, pattern, timeout=30):
    return epart.wait_for(lambda: re.search(pattern, run.supervisor_log()), timeout=timeout)


def test_a_dying_worker_is_restarted_with_a_growing_delay():
    run = epart.MakeRun(workers=2, extra_env={"EPART_RESTART_STABLE": "4",
                                              "EPART_RESTART_MAX_DELAY": "2"})
    try:
        run.start()
        c = run.client()
        first = run.pids()["worker-1"]
        os.kill(first, signal.SIGKILL)
        assert wait_log(run, r"worker-1 \(pid %d\) exited \(killed by signal 9\) after \d+ s; "
                             r"restarting it now \(restart 1\)" % first)
        assert wait_log(run, r"worker-1 started again")
        second = run.pids()["worker-1"]
        assert second != first and alive(second)
        os.kill(second, signal.SIGKILL)
        assert wait_log(run, r"worker-1 \(pid %d\) exited .*restarting it in 1 s" % second)
        assert epart.wait_for(lambda: run.pids()["worker-1"] != second, timeout=10)
        third = run.pids()["worker-1"]
        os.kill(third, signal.SIGKILL)
        assert wait_log(run, r"worker-1 \(pid %d\) exited .*restarting it in 2 s" % third)
        assert epart.wait_for(lambda: run.pids()["worker-1"] != third, timeout=10)
        # meanwhile the rest kept serving: nothing else was restarted
        assert c.get("/readyz").status == 200
        assert "api (pid" not in run.supervisor_log()
        assert alive(run.pids()["worker-2"])
        # up longer than EPART_RESTART_STABLE: the delay starts from zero again
        time.sleep(5)
        fourth = run.pids()["worker-1"]
        os.kill(fourth, signal.SIGKILL)
        assert wait_log(run, r"worker-1 \(pid %d\) exited .*restarting it now" % fourth)
        # the restarted worker does its job
        admin = run.client(epart.admin_token())
        org = admin.post("/v1/organisations", epart.organisation_body(kind="pass_ville")).json
        partner = run.client(epart.partner_token(org["id"]))
        os.kill(run.pids()["worker-2"], signal.SIGSTOP)  # only worker-1 may persist it
        try:
            did = partner.post("/v1/dossiers", epart.dossier_body()).json["id"]
            assert epart.wait_for(lambda: run.psql(
                "SELECT count(*) FROM dossiers WHERE id = '%s'" % did) == "1", timeout=20)
        finally:
            os.kill(run.pids()["worker-2"], signal.SIGCONT)
    finally:
        run.stop()
    try:
        assert not run.sanitizer_reports(skip={"worker-1.log"})
    finally:
        run.cleanup()


def test_sigterm_to_the_process_group_stops_everything_and_loses_no_audit_row():
    run = epart.MakeRun(workers=2)
    try:
        run.start()
        admin = run.client(epart.admin_token())
        org = admin.post("/v1/organisations", epart.organisation_body(kind="pass_ville")).json
        did = run.client(epart.partner_token(org["id"])).post(
            "/v1/dossiers", epart.dossier_body()).json["id"]
        assert epart.wait_for(lambda: run.psql(
            "SELECT count(*) FROM dossiers WHERE id = '%s'" % did) == "1", timeout=20)
        sub = "term-" + uuid.uuid4().hex[:12]  # the reader of the load, nobody else
        partner = run.client(epart.partner_token(org["id"], sub=sub))
        # some load: reads journaled by the API's buffered writer
        answered = []

        def reader():
            for _ in range(60):
                r = partner.get("/v1/dossiers/" + did)
                answered.append(r.status)

        threads = [threading.Thread(target=reader) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        reads = answered.count(200)
        assert answered.count(200) == len(answered)
        pids = run.pids()
        stores = {"redis": run.store_pid("redis"), "postgresql": run.store_pid("postgresql")}
        assert all(alive(p) for p in list(pids.values()) + list(stores.values()))
        # the group gets it, make forwards it, and an impatient operator repeats it
        for _ in range(3):
            run.signal_group(signal.SIGTERM)
            time.sleep(0.05)
        run.proc.wait(timeout=90)
        log = run.supervisor_log()
        assert "epart: stopped" in log, log[-2000:]
        for name, pid in list(pids.items()) + list(stores.items()):
            assert not alive(pid), "%s (pid %d) still runs after the stop" % (name, pid)
        assert re.search(r"api \(pid %d\) stopped: exit status 0" % pids["api"], log), log
        for i in (1, 2):
            assert re.search(r"worker-%d \(pid %d\) stopped: exit status 0"
                             % (i, pids["worker-%d" % i]), log), log
        # every read is in the journal: count them with PostgreSQL started again
        subprocess.run(["bash", epart.STACK, "pg-start"], env=run.env, check=True,
                       capture_output=True)
        n = run.psql("SELECT count(*) FROM audit_journal WHERE sub = '%s' AND action = 'read' "
                     "AND object_type = 'dossier'" % sub)
        assert int(n) == reads, "%s journal rows for %d reads" % (n, reads)
    finally:
        run.stop()
    try:
        assert not run.sanitizer_reports()
    finally:
        run.cleanup()
