"""epart.py — the test harness: a real stack (PostgreSQL, Redis, the API and
workers from build/) started under a temporary state directory on free ports,
and a small HTTP client speaking to it.

Nothing is mocked: tests send real HTTP to the real server, which talks to a
real PostgreSQL and a real Redis.
"""
import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
STACK = os.path.join(ROOT, "deploy", "stack.sh")
SECRET = "integration-tests-secret-0123456789abcdef0123456789"


_given_ports = set()


def free_port():
    """A port for a server of the tests, below the kernel's ephemeral range
    (32768–60999): a port chosen there by binding port 0 can be taken, before
    our server binds it, as the local port of any outgoing connection — the
    stack's own clients of PostgreSQL and Redis make many — and the server then
    fails with "Address already in use". Bound on every address: a port in use
    (or in TIME_WAIT) on any loopback address is not chosen. 31000–32699 stays
    clear of the cluster's ports (20000–20706; tests/ha bases 21000–30306)."""
    rnd = random.SystemRandom()
    for _ in range(1000):
        port = rnd.randrange(31000, 32700)
        if port in _given_ports:
            continue
        with socket.socket() as s:
            try:
                s.bind(("", port))
            except OSError:
                continue
        _given_ports.add(port)
        return port
    raise RuntimeError("no free port in 31000-32699")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_token(claims=None, secret=SECRET, header=None, **kw):
    """A signed HS256 token; claims and header may be overridden to forge defects."""
    now = int(time.time())
    body = {"iss": "epart", "aud": "epart-api", "sub": "tests", "iat": now, "exp": now + 4 * 3600}
    body.update(kw)
    if claims is not None:
        body = claims
    head = header or {"alg": "HS256", "typ": "JWT"}
    signing = b64url(json.dumps(head).encode()) + "." + b64url(json.dumps(body).encode())
    sig = hmac.new(secret.encode(), signing.encode(), hashlib.sha256).digest()
    return signing + "." + b64url(sig)


def partner_token(org, sub="partner-agent", **kw):
    return make_token(role="partner", org=org, sub=sub, **kw)


def instructor_token(caisse="171", sub="instructeur", **kw):
    return make_token(role="instructor", caisse=caisse, sub=sub, **kw)


def admin_token(sub="admin", **kw):
    return make_token(role="admin", sub=sub, **kw)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def error_codes(self):
        return {(e["field"], e["code"]) for e in (self.json or {}).get("errors", [])}

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:300])


class Client:
    def __init__(self, port, token=None):
        self.port = port
        self.token = token

    def request(self, method, path, body=None, token=None, headers=None, raw=None,
                content_type="application/json", timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        h = {}
        tok = token if token is not None else self.token
        if tok:
            h["Authorization"] = "Bearer " + tok
        data = None
        if raw is not None:
            data = raw
        elif body is not None:
            data = json.dumps(body).encode()
        if data is not None and content_type:
            h["Content-Type"] = content_type
        if headers:
            h.update(headers)
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        out = Response(r.status, r.getheaders(), r.read())
        conn.close()
        return out

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body=body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


def run_node_suite(script, env, what, args=()):
    """Run the node:test suite script (tests/browser) with env; its output (the
    end of it) is shown, and it must pass. what names it in the failure."""
    r = subprocess.run(["node", "--test-reporter=spec"] + list(args) + [script],
                       env=env, capture_output=True, text=True, timeout=300)
    sys.stdout.write(r.stdout[-20000:])
    sys.stderr.write(r.stderr[-8000:])
    assert r.returncode == 0, "browser suite %s failed (output above)" % what


def fresh_state(prefix):
    """A new state directory and the environment of a stack living in it: its
    own ports, the tests' JWT secret, sanitizers that stop at the first report."""
    state = tempfile.mkdtemp(prefix=prefix)
    os.chmod(state, 0o755)
    env = dict(os.environ)
    env.update({
        "EPART_STATE_DIR": state,
        "EPART_HTTP_PORT": str(free_port()),
        "EPART_PG_PORT": str(free_port()),
        "EPART_REDIS_PORT": str(free_port()),
        "EPART_JWT_SECRET": SECRET,
        "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:halt_on_error=1",
        "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
    })
    return state, env


def wait_persisted(stack, table, oid):
    """The worker has written the row oid of table."""
    assert wait_for(lambda: stack.psql("SELECT count(*) FROM %s WHERE id = '%s'" % (table, oid))
                    == "1"), (table, oid)


def transition(instructor, did, action, **body):
    """POST the dossier transition action (with body's members); it must answer 200."""
    body["action"] = action
    r = instructor.post("/v1/dossiers/%s/transitions" % did, body)
    assert r.status == 200, (action, r)
    return r.json


class Stack:
    """PostgreSQL, Redis, one API and n workers under a fresh state directory."""

    def __init__(self, workers=1, extra_env=None, bin_dir=None):
        self.state, self.env = fresh_state("epart-test-")
        self.env.update({
            "EPART_TEST_CLOCK": "1",
            "EPART_WEBHOOK_ALLOW_PRIVATE": "1",
            "EPART_LOG_LEVEL": "info",
        })
        if extra_env:
            self.env.update(extra_env)
        self.bin = bin_dir or os.environ.get("EPART_BIN", os.path.join(ROOT, "build", "release"))
        self.port = int(self.env["EPART_HTTP_PORT"])
        self.api = None
        self.workers = []
        self.n_workers = workers
        self.logs = []

    def sh(self, *args, check=True):
        return subprocess.run(["bash", STACK] + list(args), env=self.env, check=check,
                              capture_output=True, text=True)

    def start(self):
        try:
            self.sh("redis-start")
            self.sh("pg-start")
            self.sh("migrate")
            self.start_api()
            for _ in range(self.n_workers):
                self.start_worker()
            self.wait_ready()
        except BaseException:
            self.stop(keep=True)  # never leave servers behind; keep the logs to read
            raise
        return self

    def _spawn(self, name):
        log = os.path.join(self.state, "log", "%s-%d.log" % (name, len(self.logs)))
        os.makedirs(os.path.dirname(log), exist_ok=True)
        self.logs.append(log)
        return subprocess.Popen([os.path.join(self.bin, name)], env=self.env,
                                stdout=open(log, "ab"), stderr=subprocess.STDOUT)

    def start_api(self):
        self.api = self._spawn("epart-api")
        return self.api

    def start_worker(self):
        w = self._spawn("epart-worker")
        self.workers.append(w)
        return w

    def stop_process(self, p, sig=signal.SIGTERM, timeout=20):
        if p is None or p.poll() is not None:
            return
        p.send_signal(sig)
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()

    def wait_ready(self, timeout=90):
        c = Client(self.port)
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if c.get("/readyz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the stack did not become ready; logs in " + self.state)

    def client(self, token=None):
        return Client(self.port, token)

    def secret(self, name):
        """A password generated by deploy/stack.sh into secrets/ (redis_password,
        redis_admin_password, pg_password, pg_admin_password)."""
        given = {"redis_password": "EPART_REDIS_PASSWORD", "pg_password": "EPART_PG_PASSWORD"}
        if self.env.get(given.get(name, "")):
            return self.env[given[name]]
        with open(os.path.join(self.state, "secrets", name)) as f:
            return f.read().strip()

    def psql(self, sql):
        """Run SQL as the epart user (tests' own inspection, never the product's)."""
        env = dict(os.environ, PGPASSWORD=self.secret("pg_password"))
        r = subprocess.run(
            ["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1",
             "-h", os.path.join(self.state, "run"), "-p", self.env["EPART_PG_PORT"],
             "-U", "epart", "-d", "epart", "-c", sql] if os.getuid() == 0 else
            ["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1",
             "-h", os.path.join(self.state, "run"), "-p", self.env["EPART_PG_PORT"],
             "-U", "epart", "-d", "epart", "-c", sql],
            capture_output=True, text=True, check=True, env=env)
        return r.stdout.strip()

    def redis(self, *args):
        """redis-cli as Redis's administrator (the default user): the tests'
        inspection, never the product's."""
        env = dict(os.environ, REDISCLI_AUTH=self.secret("redis_admin_password"))
        r = subprocess.run(["redis-cli", "--no-auth-warning", "-p", self.env["EPART_REDIS_PORT"]]
                           + list(args), capture_output=True, text=True, env=env)
        return r.stdout.strip()

    def sanitizer_reports(self):
        found = []
        for log in self.logs:
            try:
                text = open(log, errors="replace").read()
            except OSError:
                continue
            for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
                if marker in text:
                    found.append("%s: %s" % (log, marker))
        return found

    def stop(self, keep=False):
        for w in self.workers:
            self.stop_process(w)
        self.stop_process(self.api)
        self.sh("pg-stop", check=False)
        self.sh("redis-stop", check=False)
        reports = self.sanitizer_reports()
        if not keep and not reports and not os.environ.get("EPART_KEEP_STATE"):
            shutil.rmtree(self.state, ignore_errors=True)
        return reports


def dossier_body(prestation="puma", **over):
    """A valid dossier body (SPEC §4) for each prestation."""
    body = {
        "prestation": prestation,
        "first_request": False,
        "transmit": True,
        "applicant": {
            "last_name": "DUPONT", "first_names": ["Marie"], "birth_date": "1980-02-29",
            "sex": "F", "nir": None, "phone": "0600000000", "email": None, "language": "fr",
            "interpreter_needed": False,
            "address": {"line": "2 rue X", "postal_code": "17000", "city": "La Rochelle"},
        },
        "situation": {},
        "pieces": [{"kind": "identite", "filename": "passeport.pdf", "sha256": "a" * 64,
                    "size": 120034}],
        "consent": {"obtained_on": "2026-11-20", "informed": True},
    }
    if prestation == "puma":
        body["situation"] = {"puma_criterion": "residence", "residence_since": "2025-06-01",
                             "regular_stay": True}
    elif prestation == "css":
        body["situation"] = {"puma_start": "2024-01-01", "resources_under_ceiling": True,
                             "regular_stay": True}
    elif prestation == "ame":
        body["situation"] = {"regular_stay": False, "irregular_since": "2026-01-05",
                             "resources_under_ceiling": True, "precarious": True}
    body.update(over)
    return body


def organisation_body(kind="ccas", caisse="171", **over):
    body = {
        "name": "Organisation de test " + uuid.uuid4().hex[:6],
        "kind": kind,
        "siret": "73282932000074",
        "caisse": caisse,
        "ame_habilitation": False,
        "convention": {"signed_on": "2025-01-15", "duration_months": 12, "tacit_renewal": True,
                       "terminated_on": None},
        "referent": {"name": "Référent", "email": "ref@example.org", "phone": "0546000000"},
    }
    body.update(over)
    return body


def wait_for(predicate, timeout=15, interval=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = predicate()
        if v:
            return v
        time.sleep(interval)
    return predicate()


class MakeRun:
    """`make run` itself (deploy/run.sh under GNU make, as an operator starts it)
    on its own ports and state directory, in a process group of its own so that
    a test can signal that group as systemd and `docker stop` do."""

    def __init__(self, workers=1, extra_env=None, bin_dir=None):
        self.state, self.env = fresh_state("epart-run-")
        self.env.update({
            "EPART_WORKERS": str(workers),
            "EPART_BIN": bin_dir or os.environ.get("EPART_BIN",
                                                   os.path.join(ROOT, "build", "release")),
        })
        self.env.pop("MAKEFLAGS", None)
        self.env.pop("MFLAGS", None)
        if extra_env:
            self.env.update(extra_env)
        self.port = int(self.env["EPART_HTTP_PORT"])
        self.out = os.path.join(self.state, "make-run.out")
        self.proc = None

    def start(self, timeout=120):
        self.proc = subprocess.Popen(["make", "--no-print-directory", "-C", ROOT, "run"],
                                     env=self.env, stdout=open(self.out, "ab"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("make run exited: " + self.output()[-3000:])
            if "running:" in self.supervisor_log():
                Stack.wait_ready(self, timeout=max(1, deadline - time.time()))
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("make run did not start: " + self.output()[-3000:])

    def output(self):
        try:
            return open(self.out, errors="replace").read()
        except OSError:
            return ""

    def supervisor_log(self):
        try:
            return open(os.path.join(self.state, "log", "supervisor.log"),
                        errors="replace").read()
        except OSError:
            return ""

    def pids(self):
        """name -> pid of what the supervisor runs now (from its log)."""
        cur = {}
        for line in self.supervisor_log().splitlines():
            if " epart: running: " in line:
                for item in line.split(" epart: running: ", 1)[1].split():
                    k, v = item.split("=")
                    cur[k] = int(v)
            elif " started again (pid " in line:
                name = line.split(" epart: ", 1)[1].split(" ")[0]
                cur[name] = int(line.rsplit("(pid ", 1)[1].rstrip(")"))
        return cur

    def store_pid(self, which):
        """The pid of redis-server or of the postmaster (from their pid files)."""
        if which == "redis":
            path = os.path.join(self.state, "run", "redis.pid")
        else:
            loc = os.path.join(self.state, "pg.location")
            root = open(loc).read().strip() if os.path.exists(loc) else self.state
            path = os.path.join(root, "pg", "postmaster.pid")
        try:
            with open(path) as f:
                return int(f.readline())
        except (OSError, ValueError):
            return None

    def client(self, token=None):
        return Client(self.port, token)

    # the inspection helpers of Stack work on the same layout
    secret = Stack.secret
    psql = Stack.psql
    redis = Stack.redis

    def signal_group(self, sig=signal.SIGTERM):
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, timeout=90):
        """Ctrl-C as a terminal sends it (SIGINT to the group); SIGKILL at the end."""
        if self.proc is not None and self.proc.poll() is None:
            self.signal_group(signal.SIGINT)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.signal_group(signal.SIGKILL)
                self.proc.wait()
        # whatever a failed test may have left: the stores of this state directory
        subprocess.run(["bash", STACK, "pg-stop"], env=self.env, capture_output=True)
        subprocess.run(["bash", STACK, "redis-stop"], env=self.env, capture_output=True)

    def sanitizer_reports(self, skip=()):
        found = []
        logdir = os.path.join(self.state, "log")
        for name in sorted(os.listdir(logdir)) if os.path.isdir(logdir) else []:
            if not name.startswith(("api", "worker")) or name in skip:
                continue
            text = open(os.path.join(logdir, name), errors="replace").read()
            for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
                if marker in text:
                    found.append("%s: %s" % (name, marker))
        return found

    def cleanup(self):
        if not os.environ.get("EPART_KEEP_STATE"):
            loc = os.path.join(self.state, "pg.location")
            if os.path.exists(loc):
                shutil.rmtree(open(loc).read().strip(), ignore_errors=True)
            shutil.rmtree(self.state, ignore_errors=True)
