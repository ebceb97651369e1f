"""halib.py — what the fault tests of the cluster share.

- ClusterLoad: partner clients submitting continuously, each submission with
  its own Idempotency-Key, retried with the same key and body after anything
  but a 202 — on the next node, as a partner behind a load balancer would.
- measure(): lost (a 202 whose dossier never reaches PostgreSQL), doubled (a
  key answered with two ids, a dossier no 202 announced, two submit events),
  and the time without service (the longest interval without any 202 while
  the load ran).
- heal(): puts the cluster back to three healthy nodes for the next test.
"""
import http.client
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid

import cluster as cl
import epart

def _free_base():
    """EPART_HA_PORT_BASE, else a base whose 21 ports are free on loopback
    (in network namespaces the ports are the namespaces' own anyway)."""
    if os.environ.get("EPART_HA_PORT_BASE"):
        return int(os.environ["EPART_HA_PORT_BASE"])
    import random
    for base in random.sample(range(21000, 31000, 1000), 10):
        if not any(cl.port_open(base + 100 * i + k, timeout=0.05)
                   for i in (1, 2, 3) for k in range(7)):
            return base
    return 24000


BASE = _free_base()
RESULTS = os.environ.get("HA_RESULTS")


def report(name, **figures):
    parts = ["%s=%s" % (k, ("%.2f" % v) if isinstance(v, float) else v)
             for k, v in figures.items()]
    line = "ha[%s] %s" % (name, " ".join(parts))
    print(line, flush=True)
    if RESULTS:
        with open(RESULTS, "a") as f:
            f.write(line + "\n")


def start_cluster():
    state = tempfile.mkdtemp(prefix="epart-ha-")
    os.chmod(state, 0o755)
    bin_dir = os.environ.get("EPART_BIN", os.path.join(cl.ROOT, "build", "release"))
    env = {
        "EPART_RATE_LIMIT": "0",
        "EPART_TEST_CLOCK": "1",
        "EPART_LOG_LEVEL": "info",
        "EPART_CLAIM_IDLE_MS": "3000",
        "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=0:halt_on_error=1",
        "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
        "EPART_JWT_SECRET": epart.SECRET,
    }
    # network namespaces when we may make them (root, ip, nft): the partition
    # test needs them; the other faults run the same either way
    netns = os.getuid() == 0 and shutil.which("nft") is not None and \
        os.environ.get("EPART_HA_NETNS", "1") == "1"
    c = cl.Cluster(state, base=BASE, bin_dir=bin_dir, env=env, workers=1, netns=netns)
    if netns:
        c.enter_clients()
    c.start()
    conn = http.client.HTTPConnection(c.nodes[0].host, c.nodes[0].api_port, timeout=30)
    conn.request("POST", "/v1/organisations",
                 body=json.dumps(epart.organisation_body(kind="pass_ville")),
                 headers={"Authorization": "Bearer " + epart.admin_token(),
                          "Content-Type": "application/json"})
    r = conn.getresponse()
    body = r.read()
    assert r.status == 201, body
    c.org = json.loads(body)["id"]
    c.token = epart.partner_token(c.org)
    c.seen_before = set()
    return c


def stop_cluster(c):
    c.stop()
    if not os.environ.get("EPART_KEEP_STATE"):
        shutil.rmtree(c.state, ignore_errors=True)


class ClusterLoad:
    def __init__(self, c, threads=4):
        self.c = c
        self.ports = [(n.host, n.api_port) for n in c.nodes]
        self.n = threads
        self.answers = []   # (t1, status, key, id, node)
        self.keys = {}      # key -> set of ids answered
        self.unresolved = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = []

    @staticmethod
    def body(key):
        """Each submission's body names its key (the address line), so that a
        dossier no 202 announced can be traced to the submission it came from."""
        b = epart.dossier_body("puma")
        b["applicant"]["address"]["line"] = "K" + key
        return json.dumps(b).encode()

    def _send(self, conns, k, key, body):
        host, port = self.ports[k % len(self.ports)]
        headers = {"Authorization": "Bearer " + self.c.token,
                   "Content-Type": "application/json", "Idempotency-Key": key}
        status, id_ = 0, None
        try:
            if conns.get(port) is None:
                conns[port] = http.client.HTTPConnection(host, port, timeout=5)
            conns[port].request("POST", "/v1/dossiers", body=body, headers=headers)
            r = conns[port].getresponse()
            data = r.read()
            status = r.status
            if status == 202:
                id_ = json.loads(data)["id"]
        except (OSError, http.client.HTTPException, ValueError):
            if conns.get(port) is not None:
                conns[port].close()
            conns[port] = None
        return status, id_

    def _run(self, t):
        conns = {}
        k = t
        while not self._stop.is_set():
            key = uuid.uuid4().hex
            body = self.body(key)
            give_up = None
            while True:
                t0 = time.monotonic()
                status, id_ = self._send(conns, k, key, body)
                with self._lock:
                    self.answers.append((time.monotonic(), status, key, id_,
                                         k % len(self.ports) + 1, t0))
                if status == 202:
                    break
                k += 1  # the next node
                if self._stop.is_set():
                    give_up = give_up or time.monotonic() + 60
                    if time.monotonic() > give_up:
                        with self._lock:
                            self.unresolved.append(key)
                        break
                time.sleep(0.05)
        for conn in conns.values():
            if conn is not None:
                conn.close()

    def start(self):
        self.t_start = time.monotonic()
        for t in range(self.n):
            th = threading.Thread(target=self._run, args=(t,), daemon=True)
            th.start()
            self._threads.append(th)
        return self

    def stop(self):
        self._stop.set()
        for th in self._threads:
            th.join(90)
        assert not any(th.is_alive() for th in self._threads), "clients hang"
        self.t_end = time.monotonic()
        return self

    def accepted(self):
        """key -> set of ids of its 202s."""
        out = {}
        for _, status, key, id_, *_ in self.answers:
            if status == 202:
                out.setdefault(key, set()).add(id_)
        return out

    def longest_gap(self, since=None):
        """The longest interval without any 202 (seconds), from `since` on."""
        ts = sorted(t for t, status, *_ in self.answers if status == 202)
        if since is not None:
            ts = [t for t in ts if t >= since]
            ts.insert(0, since)
        return max((b - a for a, b in zip(ts, ts[1:])), default=0.0)

    def gap_by_node(self, since):
        """node -> the longest interval (s) without a 202 from that node's API,
        from `since` to its last 202: where a failover's time goes on the
        clients' side (nodes that took no request are left out)."""
        out = {}
        for node in sorted({a[4] for a in self.answers}):
            ts = sorted(t for t, status, _, _, n, _ in self.answers
                        if status == 202 and n == node and t >= since)
            if ts:
                ts.insert(0, since)
                out[node] = max(b - a for a, b in zip(ts, ts[1:])) if len(ts) > 1 else 0.0
        return " ".join("n%d:%.2f" % kv for kv in sorted(out.items()))

    def statuses(self):
        out = {}
        for _, status, *_ in self.answers:
            out[status] = out.get(status, 0) + 1
        return out


def run_with_fault(c, name, fault, heal_fn, before=3.0, after=4.0, recover_timeout=60):
    """Submit continuously; after `before` s call fault() (returns a label of
    what it did, may block); keep submitting until a 202 has come back after the
    fault and `after` s more; stop; heal; measure. Returns the figures."""
    load = ClusterLoad(c).start()
    time.sleep(before)
    t_fault = time.monotonic()
    detail = fault() or {}
    deadline = time.monotonic() + recover_timeout
    while time.monotonic() < deadline:
        with load._lock:
            if any(t > t_fault and s == 202 for t, s, *_ in load.answers[-200:]):
                break
        time.sleep(0.2)
    time.sleep(after)
    load.stop()
    heal_fn()
    figures = measure(c, load, t_fault)
    figures.update(detail)
    report(name, **figures)
    return figures


def persisted(c, ids, timeout=120):
    """Wait until the stream is drained and return the dossiers of the org."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        p = c.redis_primary()
        try:
            if p is not None and c.redis(p, "XLEN", "epart:ingest") == 0 and \
                    c.redis(p, "XPENDING", "epart:ingest", "epart-workers")[0] == 0:
                break
        except (OSError, RuntimeError):
            pass
        time.sleep(0.5)
    out = c.psql("SELECT id FROM dossiers WHERE org_id = '%s'" % c.org)
    return out.split() if out else []


def measure(c, load, t_fault):
    acc = load.accepted()
    two_ids = [k for k, ids in acc.items() if len(ids) > 1]
    answered = set(i for ids in acc.values() for i in ids)
    in_db = persisted(c, answered)
    db = set(in_db)
    lost = answered - db
    extra = db - answered - c.seen_before
    doubled_rows = len(in_db) - len(db)
    events = c.psql(
        "SELECT count(*) FROM (SELECT e.dossier_id FROM dossier_events e JOIN dossiers d "
        "ON d.id = e.dossier_id WHERE d.org_id = '%s' AND e.detail->>'action' = 'submit' "
        "GROUP BY e.dossier_id HAVING count(*) <> 1) x" % c.org)
    c.seen_before |= db
    traces = [trace(c, load, i, t_fault) for i in sorted(extra)[:3]]
    return {
        "acknowledged": len(answered),
        "lost": len(lost),
        "doubled": len(two_ids) + len(extra) + doubled_rows + int(events),
        "unresolved": len(load.unresolved),
        "without_service_s": load.longest_gap(since=t_fault),
        "answers": " ".join("%s:%d" % kv for kv in sorted(load.statuses().items())),
        "gap_by_node_s": load.gap_by_node(t_fault),
        "_lost_ids": sorted(lost)[:5], "_extra_ids": sorted(extra)[:5],
        "_t_fault": t_fault,
        "_traces": traces,
    }


def trace(c, load, dossier_id, t_fault):
    """What is known of a dossier no 202 announced: its row, and every attempt
    of the submission whose key its body names (times from the fault)."""
    row = c.psql("SELECT applicant->'address'->>'line', reference, seq, received_at, created_at "
                 "FROM dossiers WHERE id = '%s'" % dossier_id)
    key = row.split("|")[0][1:] if row.startswith("K") else None
    attempts = ["node%d %+.2f..%+.2f %d %s" % (node, t0 - t_fault, t1 - t_fault, status, id_)
                for t1, status, k, id_, node, t0 in load.answers if k == key]
    return {"dossier": dossier_id, "row": row, "key": key, "attempts": attempts}


# ---- faults and healing ---------------------------------------------------------------


def wait_healthy(c, timeout=90):
    """Three Redis (one primary, two replicas seen ok by the Sentinels), a
    Patroni leader with a synchronous standby, every API ready."""
    def redis_ok():
        p = c.redis_primary()
        if p is None:
            return False
        for n in c.nodes:
            reps = c.sentinel(n, "replicas", cl.MASTER)
            ok = 0
            for flat in reps:
                f = dict(zip(flat[::2], flat[1::2]))
                if f.get("flags") == "slave" and f.get("master-link-status") == "ok":
                    ok += 1
            if ok != 2:
                return False
        return True
    cl.wait_for(redis_ok, timeout, "two healthy Redis replicas")
    cl.wait_for(c.sync_standby, timeout, "a synchronous standby")
    cl.wait_for(lambda: all(c.ready(n) for n in c.nodes), timeout, "every API ready")


def restart(node, *names):
    c = node.c
    for name in names:
        p = node.procs.get(name)
        if p is not None and p.poll() is None:
            continue
        if name == "redis":
            p = c.redis_primary()
            node.start_redis(p.redis_port if p is not None and p is not node else None)
        else:
            getattr(node, "start_" + name)()
