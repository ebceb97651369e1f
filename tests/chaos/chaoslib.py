"""chaoslib.py — what the chaos tests share.

- CHAOS_SCALE (environment, default 1) multiplies the volumes and durations of
  every scenario: `make test` runs the bounded form (scale 1); a manual run with
  CHAOS_SCALE=7 gives the full-size burst of the contract (about 20 000
  dossiers), see docs/chaos.md.
- Load: concurrent partner clients, each a Python thread with its own keep-alive
  http.client connection, that POST dossiers and record every answer with the
  monotonic instants it was sent and received.
- The end-of-test checks: the stream drained, every accepted dossier persisted
  exactly once, nothing dead-lettered, no sanitizer report (except in the logs of
  processes the test SIGKILLed on purpose).
"""
import collections
import http.client
import json
import os
import shutil
import signal
import threading
import time
import uuid

import epart

SCALE = float(os.environ.get("CHAOS_SCALE") or "1")
STREAM = "epart:ingest"
GROUP = "epart-workers"
DEAD = "epart:ingest:dead"

# One organisation sends the whole burst: the per-organisation rate limit (a
# product feature tested elsewhere) would turn it into 429s.
BASE_ENV = {"EPART_RATE_LIMIT": "0", "EPART_LOG_LEVEL": "info"}


def scaled(n, minimum=1):
    return max(minimum, int(round(n * SCALE)))


def report(name, **figures):
    """Print the measured figures (visible with pytest -s or -rP)."""
    parts = []
    for k, v in figures.items():
        parts.append("%s=%s" % (k, ("%.3f" % v) if isinstance(v, float) else v))
    line = "chaos[%s] %s" % (name, " ".join(parts))
    print(line, flush=True)
    out = os.environ.get("CHAOS_RESULTS")
    if out:
        with open(out, "a") as f:
            f.write(line + "\n")


# ---- stack ------------------------------------------------------------------------


def new_stack(extra_env=None):
    """A Stack (not started) whose workers the test spawns itself (boot)."""
    env = dict(BASE_ENV)
    env.update(extra_env or {})
    return epart.Stack(workers=0, extra_env=env)


def boot(stack, workers, logs):
    """Start PostgreSQL, Redis, the API and `workers` workers; logs maps each
    worker process to its log file."""
    stack.start()
    for _ in range(workers):
        spawn_worker(stack, logs)
    return stack


def spawn_worker(stack, logs):
    w = stack.start_worker()
    logs[w] = stack.logs[-1]
    return w


def kill9(stack, proc, killed_logs, logs):
    """SIGKILL one of the stack's own processes (by its Popen), and remember its
    log: a SIGKILLed process runs no leak check, and its log is excluded from
    the sanitizer verdict."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    killed_logs.add(logs[proc])


def finish(stack, killed_logs=()):
    """Stop the stack; return the sanitizer reports that count. The state
    directory is kept when something is reported (or EPART_KEEP_STATE is set)."""
    reports = stack.stop(keep=True)
    real = [r for r in reports if not any(r.startswith(log + ": ") for log in killed_logs)]
    if not real and not os.environ.get("EPART_KEEP_STATE"):
        shutil.rmtree(stack.state, ignore_errors=True)
    return real


def make_partner(stack, kind="pass_ville"):
    admin = stack.client(epart.admin_token())
    r = admin.post("/v1/organisations", epart.organisation_body(kind=kind))
    assert r.status == 201, r
    return r.json, epart.partner_token(r.json["id"])


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie is dead for our purpose
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


# ---- load -------------------------------------------------------------------------


class Answer:
    __slots__ = ("t0", "t1", "status", "id", "key", "attempt")

    def __init__(self, t0, t1, status, id_, key, attempt):
        self.t0, self.t1, self.status, self.id, self.key, self.attempt = (
            t0, t1, status, id_, key, attempt)

    def __repr__(self):
        return "<%s %.3f..%.3f %s %s>" % (self.status, self.t0, self.t1, self.id, self.key)


class Load:
    """`threads` partner clients POSTing dossiers on keep-alive connections.

    total: stop after that many logical submissions (None: until stop()).
    retry: send each submission with its own Idempotency-Key and retry it (same
    key, same body) after any answer other than 202 until it gets one, as a
    partner should; a stop() lets the submissions in progress finish (bounded by
    `settle` seconds). Every answer is recorded in `answers`.
    """

    def __init__(self, port, token, threads=8, total=None, retry=False, pause=0.0,
                 body=None, settle=60.0, timeout=15.0):
        self.port = port
        self.token = token
        self.n = threads
        self.total = total
        self.retry = retry
        self.pause = pause
        self.settle = settle
        self.timeout = timeout
        self.body = json.dumps(body or epart.dossier_body("puma")).encode()
        self.answers = []
        self.unresolved = []  # retry mode: keys that never got their 202
        self.recent = collections.deque(maxlen=5000)  # (t1, id) of 202s, live
        self._lock = threading.Lock()
        self._issued = 0
        self._stop = threading.Event()
        self._threads = []
        self.started_at = None
        self.ended_at = None

    def _next(self):
        with self._lock:
            if self._stop.is_set() or (self.total is not None and self._issued >= self.total):
                return False
            self._issued += 1
            return True

    def _send(self, conn, key):
        headers = {"Authorization": "Bearer " + self.token,
                   "Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        t0 = time.monotonic()
        status, id_ = 0, None
        try:
            if conn[0] is None:
                conn[0] = http.client.HTTPConnection("127.0.0.1", self.port,
                                                     timeout=self.timeout)
            conn[0].request("POST", "/v1/dossiers", body=self.body, headers=headers)
            r = conn[0].getresponse()
            data = r.read()
            status = r.status
            if status == 202:
                id_ = json.loads(data)["id"]
            if (r.getheader("Connection") or "").lower() == "close":
                conn[0].close()
                conn[0] = None
        except (OSError, http.client.HTTPException, ValueError):
            status = 0  # no answer: connection refused, reset, timeout
            if conn[0] is not None:
                conn[0].close()
            conn[0] = None
        return Answer(t0, time.monotonic(), status, id_, key, 0)

    def _run(self):
        conn = [None]
        mine = []
        try:
            while self._next():
                key = uuid.uuid4().hex if self.retry else None
                attempt = 0
                give_up = None
                while True:
                    a = self._send(conn, key)
                    a.attempt = attempt
                    mine.append(a)
                    if a.status == 202:
                        self.recent.append((a.t1, a.id))
                    if a.status == 202 or not self.retry:
                        break
                    if self._stop.is_set():
                        give_up = give_up or time.monotonic() + self.settle
                        if time.monotonic() > give_up:
                            with self._lock:
                                self.unresolved.append(key)
                            break
                    attempt += 1
                    time.sleep(0.05)
                if self.pause:
                    time.sleep(self.pause)
        finally:
            if conn[0] is not None:
                conn[0].close()
            with self._lock:
                self.answers.extend(mine)

    def start(self):
        self.started_at = time.monotonic()
        for i in range(self.n):
            t = threading.Thread(target=self._run, name="load-%d" % i, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self):
        self._stop.set()

    def join(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        for t in self._threads:
            t.join(None if deadline is None else max(0.1, deadline - time.monotonic()))
        alive = [t for t in self._threads if t.is_alive()]
        assert not alive, "load clients still running (the API hangs?)"
        self.ended_at = time.monotonic()
        return self

    def running(self):
        return any(t.is_alive() for t in self._threads)

    def count(self):
        with self._lock:
            return self._issued

    # -- views of the answers

    def accepted_ids(self):
        return [a.id for a in self.answers if a.status == 202]

    def by_status(self):
        out = {}
        for a in self.answers:
            out[a.status] = out.get(a.status, 0) + 1
        return out


def percentile(values, p):
    if not values:
        return 0.0
    v = sorted(values)
    k = min(len(v) - 1, max(0, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def timed_get(port, token, path, timeout=10):
    """(status, seconds, json) of one GET on a fresh connection."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    t0 = time.monotonic()
    try:
        c.request("GET", path, headers={"Authorization": "Bearer " + token})
        r = c.getresponse()
        data = r.read()
        status = r.status
    except (OSError, http.client.HTTPException):
        return 0, time.monotonic() - t0, None
    finally:
        c.close()
    dt = time.monotonic() - t0
    try:
        doc = json.loads(data) if data else None
    except ValueError:
        doc = None
    return status, dt, doc


# ---- end-of-test checks -------------------------------------------------------------


def xlen(stack, key=STREAM):
    out = stack.redis("XLEN", key)
    return int(out) if out.lstrip("-").isdigit() else -1


def xpending(stack):
    out = stack.redis("XPENDING", STREAM, GROUP)
    first = out.split("\n")[0].strip() if out else ""
    return int(first) if first.isdigit() else -1


def wait_drained(stack, timeout):
    """Wait until the stream is empty and nothing is pending; returns seconds."""
    t0 = time.monotonic()
    deadline = t0 + timeout
    while time.monotonic() < deadline:
        if xlen(stack) == 0 and xpending(stack) == 0:
            return time.monotonic() - t0
        time.sleep(0.2)
    raise AssertionError("the stream did not drain in %ss: XLEN=%s pending=%s dead=%s"
                         % (timeout, xlen(stack), xpending(stack), xlen(stack, DEAD)))


def db_ids(stack):
    out = stack.psql("SELECT id FROM dossiers")
    return set(out.split()) if out else set()


def assert_exactly_once(stack, accepted):
    """Every id answered by a 202 is in PostgreSQL once, with one submit event;
    returns the set of ids in PostgreSQL."""
    accepted = set(accepted)
    rows, distinct = stack.psql("SELECT count(*), count(DISTINCT id) FROM dossiers").split("|")
    assert rows == distinct, "duplicate dossier rows: %s rows, %s ids" % (rows, distinct)
    ids = db_ids(stack)
    missing = accepted - ids
    assert not missing, "%d dossiers answered 202 are not in PostgreSQL, e.g. %s" % (
        len(missing), sorted(missing)[:5])
    doubled = stack.psql(
        "SELECT dossier_id || ':' || count(*) FROM dossier_events "
        "WHERE detail->>'action' = 'submit' GROUP BY dossier_id HAVING count(*) <> 1")
    assert not doubled, "dossiers with more than one submit event: %s" % doubled[:300]
    submits = int(stack.psql(
        "SELECT count(*) FROM dossier_events WHERE detail->>'action' = 'submit'"))
    assert submits == len(ids), "%d submit events for %d dossiers" % (submits, len(ids))
    return ids


# ---- a minimal Redis client (RESP2), for what redis-cli cannot do cleanly ------------


class Resp:
    """Binary-safe Redis commands over one socket (stdlib only)."""

    def __init__(self, port, host="127.0.0.1", timeout=10, stack=None, auth=None):
        """auth: (user, password), else the administrator of stack's Redis (the
        tests' inspection), else no AUTH."""
        import socket
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        if auth is None and stack is not None:
            auth = ("default", stack.secret("redis_admin_password"))
        if auth is not None:
            self("AUTH", *auth)

    def close(self):
        self.sock.close()

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise RuntimeError("bad RESP reply %r" % line)

    def __call__(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if not isinstance(a, bytes):
                a = str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return self._reply()


def entry_fields(flat):
    """[k1, v1, k2, v2, ...] of a stream entry -> {str: bytes}."""
    return {flat[i].decode(): flat[i + 1] for i in range(0, len(flat), 2)}


def pending_records(stack):
    """How many read-your-writes records (epart:pending:*) are left in Redis."""
    r = Resp(int(stack.env["EPART_REDIS_PORT"]), stack=stack)
    try:
        n, cursor = 0, b"0"
        while True:
            cursor, keys = r("SCAN", cursor, "MATCH", "epart:pending:*", "COUNT", 1000)
            n += len(keys)
            if cursor == b"0":
                return n
    finally:
        r.close()


def assert_clean_queue(stack):
    """After a drain: nothing dead-lettered, no failure counted, no
    read-your-writes record left behind (each is dropped with its entry)."""
    assert xlen(stack, DEAD) == 0, "dead-lettered: %s" % stack.redis("XRANGE", DEAD, "-", "+")
    assert stack.redis("HLEN", "epart:ingest:failures") == "0", \
        stack.redis("HGETALL", "epart:ingest:failures")
    left = pending_records(stack)
    assert left == 0, "%d read-your-writes records left after the drain" % left


def log_count(stack, text):
    n = 0
    for log in stack.logs:
        try:
            with open(log, errors="replace") as f:
                n += sum(1 for line in f if text in line)
        except OSError:
            pass
    return n


def wait_for_int(fn, timeout=10):
    """The first non-negative value of fn() (Redis answers LOADING while it
    replays its append-only file)."""
    deadline = time.monotonic() + timeout
    v = fn()
    while v < 0 and time.monotonic() < deadline:
        time.sleep(0.05)
        v = fn()
    return v


def wait_for_true(fn, timeout=10, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if fn():
            return True
        time.sleep(interval)
    return bool(fn())
