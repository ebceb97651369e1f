#!/usr/bin/env python3
"""cluster.py — three epart nodes on this machine (make run-cluster, SPEC §14).

Each node i (1, 2, 3) runs, with EPART_NODE=i in its environment and its state
under EPART_STATE_DIR/node<i>:
  etcd member         client B+100i+5, peer B+100i+6 (v2 API on: Patroni's etcd: backend)
  Patroni + postgres  PostgreSQL B+100i+3, Patroni REST B+100i+4 (synchronous_mode_strict)
  redis-server        B+100i+1 (node 1 starts as primary, 2 and 3 as its replicas)
  redis-sentinel      B+100i+2 (quorum 2, down-after 2 s)
  epart-api           B+100i   (EPART_REDIS_SENTINELS, EPART_PG_HOSTS: all three nodes)
  epart-worker        one (EPART_WORKERS)
B = EPART_CLUSTER_PORT_BASE (20000). The test clock and the JWT secret are
shared by the three nodes. Nothing here elects or fails over: etcd, Patroni and
Sentinel do (docs/high-availability.md).

  cluster.py run      start, print URLs and tokens, stop everything on Ctrl-C / SIGTERM
  (tests/ha imports Cluster to start one under a temporary directory and break it)

PostgreSQL refuses to run as root: as root, Patroni runs as the postgres user
(setpriv, which execs: the pid we hold is Patroni's own).
"""
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MASTER = "epart"
PG_BIN = sorted(
    (os.path.join("/usr/lib/postgresql", v, "bin") for v in os.listdir("/usr/lib/postgresql")),
    key=lambda p: [int(x) for x in p.split("/")[-2].split(".") if x.isdigit()])[-1] \
    if os.path.isdir("/usr/lib/postgresql") else "/usr/bin"


def port_open(port, host="127.0.0.1", timeout=0.3):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for(pred, timeout, what, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            v = pred()
        except Exception:  # noqa: BLE001 - a probe that fails is "not yet"
            v = None
        if v:
            return v
        time.sleep(interval)
    raise RuntimeError("timed out waiting for " + what)


def resp_command(port, *args, timeout=2.0, password=None, host="127.0.0.1"):
    """One Redis command over RESP (no client library needed); returns the
    decoded reply (str, int, list, None) or raises."""
    def enc(parts):
        out = b"*%d\r\n" % len(parts)
        for p in parts:
            p = p if isinstance(p, bytes) else str(p).encode()
            out += b"$%d\r\n%s\r\n" % (len(p), p)
        return out
    with socket.create_connection((host, port), timeout=timeout) as s:
        f = s.makefile("rb")
        if password:
            s.sendall(enc(["AUTH", password]))
            _read_reply(f)
        s.sendall(enc(args))
        return _read_reply(f)


def _read_reply(f):
    line = f.readline()
    if not line:
        raise OSError("connection closed")
    t, rest = line[:1], line[1:-2]
    if t == b"+":
        return rest.decode()
    if t == b"-":
        raise RuntimeError(rest.decode())
    if t == b":":
        return int(rest)
    if t == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)[:-2]
        return data.decode(errors="replace")
    if t == b"*":
        n = int(rest)
        if n < 0:
            return None
        return [_read_reply(f) for _ in range(n)]
    raise RuntimeError("bad reply %r" % line)


class Node:
    def __init__(self, cluster, i):
        self.c = cluster
        self.i = i
        # on loopback (make run-cluster) or, for the partition tests, in a
        # network namespace of its own with an address on a private bridge
        self.ns = cluster.ns_name("n%d" % i) if cluster.netns else None
        self.host = cluster.node_ip(i) if cluster.netns else "127.0.0.1"
        p = cluster.base + 100 * i
        self.api_port, self.redis_port, self.sentinel_port = p, p + 1, p + 2
        self.pg_port, self.patroni_port, self.etcd_client, self.etcd_peer = p + 3, p + 4, p + 5, p + 6
        self.dir = os.path.join(cluster.state, "node%d" % i)
        self.procs = {}  # name -> Popen
        self.logs = []

    def env(self):
        e = dict(self.c.env)
        e.update({
            "EPART_NODE": str(self.i),
            "EPART_STATE_DIR": self.dir,
            "EPART_HTTP_PORT": str(self.api_port),
            "EPART_REDIS_PORT": str(self.redis_port),
            "EPART_PG_PORT": str(self.pg_port),
        })
        return e

    def spawn(self, name, argv, env=None, user=None):
        log = os.path.join(self.dir, "log", "%s-%d.log" % (name, len(self.logs)))
        os.makedirs(os.path.dirname(log), exist_ok=True)
        self.logs.append(log)
        if user is not None and os.getuid() == 0:
            argv = ["setpriv", "--reuid", user, "--regid", user, "--init-groups"] + argv
        if self.ns is not None:
            argv = ["ip", "netns", "exec", self.ns] + argv  # execs: the pid stays the daemon's
        p = subprocess.Popen(argv, env=env or self.env(), stdout=open(log, "ab"),
                             stderr=subprocess.STDOUT, cwd=self.dir, start_new_session=True)
        self.procs[name] = p
        return p

    # -- the engines -------------------------------------------------------------

    def start_etcd(self):
        c = self.c
        peers = ",".join("node%d=http://%s:%d" % (n.i, n.host, n.etcd_peer) for n in c.nodes)
        d = os.path.join(self.dir, "etcd")
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o700)
        self.spawn("etcd", [
            "etcd", "--name", "node%d" % self.i, "--data-dir", d,
            "--listen-client-urls", "http://%s:%d" % (self.host, self.etcd_client),
            "--advertise-client-urls", "http://%s:%d" % (self.host, self.etcd_client),
            "--listen-peer-urls", "http://%s:%d" % (self.host, self.etcd_peer),
            "--initial-advertise-peer-urls", "http://%s:%d" % (self.host, self.etcd_peer),
            "--initial-cluster", peers, "--initial-cluster-state", "new",
            "--initial-cluster-token", "epart-%d" % c.base, "--enable-v2=true",
            "--heartbeat-interval", "100", "--election-timeout", "1000",
            "--quota-backend-bytes", str(256 * 1024 * 1024), "--log-level", "warn"])

    def patroni_config(self):
        c = self.c
        data = os.path.join(self.dir, "pg")
        cfg = {
            "scope": "epart-%d" % c.base,
            "name": "node%d" % self.i,
            "restapi": {"listen": "%s:%d" % (self.host, self.patroni_port),
                        "connect_address": "%s:%d" % (self.host, self.patroni_port)},
            # the v2 API: compare-and-swap on the leader key (research: the
            # etcd3: backend of Patroni 3.0.2 split-brained under a pause)
            "etcd": {"hosts": ["%s:%d" % (n.host, n.etcd_client) for n in c.nodes]},
            "bootstrap": {
                "dcs": {
                    "ttl": 10, "loop_wait": 1, "retry_timeout": 4,
                    "maximum_lag_on_failover": 1048576,
                    "synchronous_mode": True, "synchronous_mode_strict": True,
                    "postgresql": {
                        "use_pg_rewind": True,
                        "parameters": {
                            "max_connections": 60, "shared_buffers": "32MB",
                            "wal_level": "replica", "hot_standby": "on",
                            "max_wal_senders": 8, "max_replication_slots": 8,
                            "wal_keep_size": "256MB", "synchronous_commit": "on",
                            "wal_log_hints": "on", "password_encryption": "scram-sha-256",
                            "timezone": "UTC",
                        },
                    },
                },
                "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"},
                           {"auth-local": "peer"}, {"auth-host": "scram-sha-256"}],
            },
            "postgresql": {
                "listen": "%s:%d" % (self.host, self.pg_port),
                "connect_address": "%s:%d" % (self.host, self.pg_port),
                "data_dir": data,
                "bin_dir": PG_BIN,
                "pgpass": os.path.join(self.dir, "patroni", "pgpass"),
                "authentication": {
                    "superuser": {"username": "postgres", "password": c.pg_super_password},
                    "replication": {"username": "replicator", "password": c.pg_repl_password},
                    "rewind": {"username": "postgres", "password": c.pg_super_password},
                },
                "parameters": {"unix_socket_directories": os.path.join(self.dir, "patroni")},
                "pg_hba": [
                    "local all all peer",
                    "host replication replicator %s scram-sha-256" % c.subnet,
                    "host all all %s scram-sha-256" % c.subnet,
                ],
            },
            "watchdog": {"mode": "off"},  # production: required (deploy/ha/README)
            "tags": {"nofailover": False, "noloadbalance": False},
        }
        return cfg

    def start_patroni(self):
        d = os.path.join(self.dir, "patroni")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "patroni.yml")
        with open(path, "w") as f:
            json.dump(self.patroni_config(), f, indent=1)  # JSON is YAML
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
            shutil.chown(d, "postgres")
            shutil.chown(path, "postgres")
            os.chmod(path, 0o600)
        env = self.env()
        env["HOME"] = d
        # PGPASSWORD is epart's: it would override Patroni's own pgpass for
        # replication and rewind
        env.pop("PGPASSWORD", None)
        env.pop("EPART_PG_PASSWORD", None)
        self.spawn("patroni", ["patroni", path], env=env, user="postgres")

    def start_redis(self, replica_of=None):
        """Start this node's Redis; replica_of: the primary's port (default:
        node 1's for nodes 2 and 3 — the first start)."""
        d = os.path.join(self.dir, "redis")
        os.makedirs(d, exist_ok=True)
        conf = os.path.join(d, "redis.conf")
        # a copy of its own: Sentinel makes Redis rewrite its file (CONFIG
        # REWRITE) at every failover
        shutil.copyfile(os.path.join(ROOT, "deploy", "redis.conf"), conf)
        acl = os.path.join(d, "users.acl")
        sec = os.path.join(self.c.state, "secrets")
        with open(acl, "w") as f:
            subprocess.run(["sh", os.path.join(ROOT, "deploy", "redis-acl.sh"),
                            os.path.join(sec, "redis-epart"), os.path.join(sec, "redis-admin"),
                            "epart"], stdout=f, check=True)
        os.chmod(acl, 0o600)
        argv = ["redis-server", conf,
                "--port", str(self.redis_port), "--dir", d, "--daemonize", "no",
                "--logfile", "", "--bind", self.host,
                # a primary with no replica acknowledging for 10 s takes no
                # writes: a node cut off stops accepting well before anyone
                # would trust it (the API's WAIT refuses them at once anyway)
                "--min-replicas-to-write", "1", "--min-replicas-max-lag", "10",
                "--maxmemory", "256mb", "--replica-announce-ip", self.host,
                "--aclfile", acl, "--masteruser", "default", "--masterauth", self.c.redis_admin]
        if replica_of is None and self.i != 1:
            replica_of = self.c.nodes[0].redis_port
        if replica_of is not None:
            argv += ["--replicaof", self.c.host_of_redis(replica_of), str(replica_of)]
        self.spawn("redis", argv)

    def start_sentinel(self):
        d = os.path.join(self.dir, "sentinel")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "sentinel.conf")
        if not os.path.exists(path):  # Sentinel rewrites its file: keep what it learnt
            with open(path, "w") as f:
                f.write("port %d\nbind %s\ndir %s\n" % (self.sentinel_port, self.host, d))
                f.write("sentinel resolve-hostnames no\n")
                # the Sentinels' own password: epart, the tests and the other
                # Sentinels (sentinel-pass) authenticate to it
                f.write("requirepass %s\n" % self.c.sentinel_password)
                f.write("sentinel sentinel-pass %s\n" % self.c.sentinel_password)
                f.write("sentinel announce-ip %s\n" % self.host)
                f.write("sentinel monitor %s %s %d 2\n"
                        % (MASTER, self.c.nodes[0].host, self.c.nodes[0].redis_port))
                # 2 s, not 1: with 1 s a Sentinel's fresh link to the replica
                # it just promoted could miss its first PING reply on a loaded
                # machine, and its peers' "down" votes of the old primary, kept
                # 5 s, made that o_down at once — a second failover, and 15 s
                # without service (docs/high-availability.md)
                f.write("sentinel down-after-milliseconds %s 2000\n" % MASTER)
                f.write("sentinel failover-timeout %s 6000\n" % MASTER)
                f.write("sentinel parallel-syncs %s 2\n" % MASTER)
                # Sentinel authenticates to every Redis (the ACL has no anonymous user)
                f.write("sentinel auth-user %s default\n" % MASTER)
                f.write("sentinel auth-pass %s %s\n" % (MASTER, self.c.redis_admin))
            os.chmod(path, 0o600)
        self.spawn("sentinel", ["redis-sentinel", path])

    def start_api(self):
        return self.spawn("api", [os.path.join(self.c.bin, "epart-api")])

    def start_worker(self):
        return self.spawn("worker", [os.path.join(self.c.bin, "epart-worker")])

    # -- looking at it ----------------------------------------------------------

    def patroni_role(self):
        try:
            with urllib.request.urlopen("http://%s:%d/patroni" % (self.host, self.patroni_port),
                                        timeout=1) as r:
                return json.loads(r.read()).get("role")
        except Exception:  # noqa: BLE001
            return None

    def postmaster_pid(self):
        try:
            with open(os.path.join(self.dir, "pg", "postmaster.pid")) as f:
                return int(f.readline())
        except (OSError, ValueError):
            return None

    def pg_pids(self):
        """The postmaster and its children."""
        pm = self.postmaster_pid()
        if pm is None:
            return []
        out = [pm]
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open("/proc/%s/stat" % d) as f:
                        if int(f.read().split(")")[-1].split()[1]) == pm:
                            out.append(int(d))
                except (OSError, ValueError, IndexError):
                    pass
        return out

    def signal_all(self, sig):
        """Every process of the node (the whole machine lost)."""
        for p in list(self.procs.values()):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, sig)
                except ProcessLookupError:
                    pass
        for pid in self.pg_pids():
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    def stop(self):
        order = ["worker", "api", "sentinel", "redis", "patroni", "etcd"]
        for name in order:
            p = self.procs.get(name)
            if p is not None and p.poll() is None:
                p.send_signal(signal.SIGCONT)
                p.terminate()
        for name in order:
            p = self.procs.get(name)
            if p is None:
                continue
            try:
                p.wait(timeout=30 if name == "patroni" else 10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        for pid in self.pg_pids():  # a postgres Patroni could not stop
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


class Cluster:
    def __init__(self, state, base=20000, bin_dir=None, env=None, workers=1, demo=False,
                 netns=False):
        self.state = os.path.abspath(state)
        self.base = base
        self.netns = netns
        self.net_prefix = "10.%d.%d" % (200 + (base // 1000) % 50, (base // 100) % 10)
        self.subnet = self.net_prefix + ".0/24" if netns else "127.0.0.1/32"
        self._own_ns_fd = None
        if netns:
            self._make_network()
        self.bin = bin_dir or os.path.join(ROOT, "build", "release")
        self.workers = workers
        self.demo = demo
        os.makedirs(self.state, exist_ok=True)
        os.chmod(self.state, 0o755)
        self.nodes = [Node(self, i) for i in (1, 2, 3)]
        self.pg_super_password = self._secret("pg-superuser")
        self.pg_repl_password = self._secret("pg-replication")
        self.pg_password = os.environ.get("EPART_PG_PASSWORD") or self._secret("pg-epart")
        # Redis ACL (deploy/redis-acl.sh, as make run): epart's user limited to
        # deploy/redis-commands.txt; "default" for Sentinel, replication, tests
        self.redis_password = os.environ.get("EPART_REDIS_PASSWORD") or self._secret("redis-epart")
        self.redis_admin = self._secret("redis-admin")
        self.sentinel_password = self._secret("redis-sentinel")
        self.env = dict(os.environ)
        self.env.update({
            "EPART_REDIS_SENTINELS": ",".join("%s:%d" % (n.host, n.sentinel_port) for n in self.nodes),
            "EPART_REDIS_MASTER_NAME": MASTER,
            "EPART_PG_HOSTS": ",".join("%s:%d" % (n.host, n.pg_port) for n in self.nodes),
            "EPART_PG_PASSWORD": self.pg_password,
            "EPART_REDIS_PASSWORD": self.redis_password,
            "EPART_REDIS_SENTINEL_PASSWORD": self.sentinel_password,
            "PGPASSWORD": self.pg_password,  # libpq reads it for the multi-host string
            "EPART_JWT_SECRET": os.environ.get("EPART_JWT_SECRET") or self._secret("jwt"),
            "EPART_HTTP_THREADS": os.environ.get("EPART_HTTP_THREADS", "1"),
            "EPART_DB_THREADS": os.environ.get("EPART_DB_THREADS", "3"),
        })
        self.env.update(env or {})

    def _secret(self, name):
        d = os.path.join(self.state, "secrets")
        os.makedirs(d, mode=0o700, exist_ok=True)
        path = os.path.join(d, name)
        if not os.path.exists(path):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.write(fd, secrets.token_urlsafe(32).encode())
            os.close(fd)
        with open(path) as f:
            return f.read().strip()

    # -- network namespaces (partition tests) -----------------------------------

    def ns_name(self, what):
        # unique per process: two test runs on one machine never share one
        return "ep%d-%d-%s" % (self.base, os.getpid(), what)

    def node_ip(self, i):
        return "%s.%d" % (self.net_prefix, i)

    def _ip(self, *args):
        subprocess.run(["ip"] + list(args), check=True, capture_output=True)

    def _make_network(self):
        """A bridge in a namespace of its own (the host's network is never
        touched), one namespace per node and one for the clients (.100)."""
        self._drop_network()
        sw = self.ns_name("sw")
        self._ip("netns", "add", sw)
        self._ip("-n", sw, "link", "add", "br0", "type", "bridge")
        self._ip("-n", sw, "link", "set", "br0", "up")
        for name, ip in [("n%d" % i, self.node_ip(i)) for i in (1, 2, 3)] + \
                [("cl", "%s.100" % self.net_prefix)]:
            ns = self.ns_name(name)
            self._ip("netns", "add", ns)
            self._ip("-n", sw, "link", "add", "v" + name, "type", "veth", "peer", "name", "eth0",
                     "netns", ns)
            self._ip("-n", sw, "link", "set", "v" + name, "master", "br0", "up")
            self._ip("-n", ns, "addr", "add", ip + "/24", "dev", "eth0")
            self._ip("-n", ns, "link", "set", "eth0", "up")
            self._ip("-n", ns, "link", "set", "lo", "up")

    def _drop_network(self):
        for name in ("n1", "n2", "n3", "cl", "sw"):
            subprocess.run(["ip", "netns", "del", self.ns_name(name)], capture_output=True)

    def enter_clients(self):
        """Move the calling thread (and the threads and processes it starts)
        into the clients' namespace, from which every node is reachable."""
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        if self._own_ns_fd is None:
            self._own_ns_fd = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        fd = os.open("/var/run/netns/" + self.ns_name("cl"), os.O_RDONLY)
        try:
            if libc.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
                raise OSError(ctypes.get_errno(), "setns")
        finally:
            os.close(fd)

    def leave_clients(self):
        import ctypes
        if self._own_ns_fd is not None:
            ctypes.CDLL(None, use_errno=True).setns(self._own_ns_fd, 0x40000000)
            os.close(self._own_ns_fd)
            self._own_ns_fd = None

    def partition(self, node):
        """Cut node off from the two other nodes (not from the clients: the
        Jepsen case, a minority side that clients still reach)."""
        others = " , ".join(n.host for n in self.nodes if n is not node)
        rules = ("table inet epart_partition {\n"
                 " chain in { type filter hook input priority 0; ip saddr { %s } drop; }\n"
                 " chain out { type filter hook output priority 0; ip daddr { %s } drop; }\n"
                 "}\n" % (others, others))
        subprocess.run(["ip", "netns", "exec", node.ns, "nft", "-f", "-"], input=rules.encode(),
                       check=True, capture_output=True)

    def heal(self, node):
        subprocess.run(["ip", "netns", "exec", node.ns, "nft", "delete", "table", "inet",
                        "epart_partition"], capture_output=True)

    def host_of_redis(self, port):
        for n in self.nodes:
            if n.redis_port == port:
                return n.host
        return "127.0.0.1"

    # -- start and stop ---------------------------------------------------------

    def start(self, timeout=120):
        try:
            for n in self.nodes:
                n.start_etcd()
            wait_for(lambda: all(port_open(n.etcd_client, n.host) for n in self.nodes), 30, "etcd")
            for n in self.nodes:
                n.start_redis()
            for n in self.nodes:
                n.start_patroni()
            wait_for(lambda: all(port_open(n.redis_port, n.host) for n in self.nodes), 20, "redis")
            for n in self.nodes:
                n.start_sentinel()
            leader = wait_for(self.pg_leader, timeout, "a Patroni leader")
            self._prepare_database(leader)
            wait_for(lambda: self.redis_primary() is not None, 30, "Sentinel")
            for n in self.nodes:
                n.start_api()
                for _ in range(self.workers):
                    n.start_worker()
            wait_for(lambda: all(self.ready(n) for n in self.nodes), 60, "every API ready")
            # synchronous_mode_strict: a synchronous standby before we count on it
            wait_for(self.sync_standby, timeout, "a synchronous standby")
        except BaseException:
            self.stop()
            raise
        return self

    def _psql_super(self, node, sql, db="postgres"):
        argv = [os.path.join(PG_BIN, "psql"), "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1",
                "-h", os.path.join(node.dir, "patroni"), "-p", str(node.pg_port),
                "-U", "postgres", "-d", db, "-c", sql]
        if os.getuid() == 0:
            argv = ["runuser", "-u", "postgres", "--"] + argv
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()

    def _prepare_database(self, leader):
        wait_for(lambda: self._psql_super(leader, "SELECT 1") == "1", 60, "the leader to accept")
        if self._psql_super(leader, "SELECT 1 FROM pg_roles WHERE rolname = 'epart'") != "1":
            # the password is ours (secrets/), not input: quoted for SQL all the same
            pw = self.pg_password.replace("'", "''")
            self._psql_super(leader, "CREATE ROLE epart LOGIN PASSWORD '%s'" % pw)
        if self._psql_super(leader, "SELECT 1 FROM pg_database WHERE datname = 'epart'") != "1":
            self._psql_super(leader, "CREATE DATABASE epart OWNER epart")
        env = dict(self.env, PGPASSWORD=self.pg_password)
        subprocess.run(["sh", os.path.join(ROOT, "deploy", "migrate.sh"), os.path.join(ROOT, "sql"),
                        "-h", leader.host, "-p", str(leader.pg_port), "-U", "epart", "-d", "epart"],
                       env=env, check=True, capture_output=True)
        if self.demo:
            subprocess.run([os.path.join(PG_BIN, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                            "-h", leader.host, "-p", str(leader.pg_port), "-U", "epart",
                            "-d", "epart", "-f", os.path.join(ROOT, "deploy", "demo.sql")],
                           env=env, check=True, capture_output=True)

    def stop(self):
        for n in self.nodes:
            for name in ("worker", "api"):
                p = n.procs.get(name)
                if p is not None and p.poll() is None:
                    p.send_signal(signal.SIGCONT)
                    p.terminate()
        for n in self.nodes:
            n.stop()
        if self.netns:
            self.leave_clients()
            self._drop_network()

    # -- looking at it ----------------------------------------------------------

    def ready(self, node):
        try:
            with urllib.request.urlopen("http://%s:%d/readyz" % (node.host, node.api_port),
                                        timeout=2) as r:
                return r.status == 200
        except Exception:  # noqa: BLE001
            return False

    def pg_leader(self):
        for n in self.nodes:
            if n.patroni_role() in ("master", "primary"):
                return n
        return None

    def sync_standby(self):
        for n in self.nodes:
            try:
                with urllib.request.urlopen("http://%s:%d/cluster" % (n.host, n.patroni_port),
                                            timeout=1) as r:
                    members = json.loads(r.read()).get("members", [])
                return any(m.get("role") == "sync_standby" and m.get("state") in
                           ("running", "streaming") for m in members)
            except Exception:  # noqa: BLE001
                continue
        return False

    def redis_primary(self):
        """The node Sentinel names as primary (asking each Sentinel in turn)."""
        for n in self.nodes:
            try:
                addr = self.sentinel(n, "get-master-addr-by-name", MASTER)
            except (OSError, RuntimeError):
                continue
            if addr:
                for m in self.nodes:
                    if m.redis_port == int(addr[1]):
                        return m
        return None

    def sentinel(self, node, *args):
        """SENTINEL <args> on node's Sentinel (authenticated)."""
        return resp_command(node.sentinel_port, "SENTINEL", *args, host=node.host,
                            password=self.sentinel_password)

    def redis(self, node, *args):
        return resp_command(node.redis_port, *args, host=node.host, password=self.redis_admin)

    def psql(self, sql):
        """Run SQL as epart on the current leader (the tests' inspection)."""
        leader = wait_for(self.pg_leader, 60, "a Patroni leader")
        env = dict(self.env, PGPASSWORD=self.pg_password)
        r = subprocess.run([os.path.join(PG_BIN, "psql"), "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1",
                            "-h", leader.host, "-p", str(leader.pg_port), "-U", "epart",
                            "-d", "epart", "-c", sql], env=env, capture_output=True, text=True,
                           check=True)
        return r.stdout.strip()


def main():
    if len(sys.argv) < 2 or sys.argv[1] != "run":
        print("usage: cluster.py run", file=sys.stderr)
        return 2
    base = int(os.environ.get("EPART_CLUSTER_PORT_BASE", "20000"))
    state = os.environ.get("EPART_STATE_DIR", os.path.join(ROOT, "var", "cluster"))
    bin_dir = os.environ.get("EPART_BIN", os.path.join(ROOT, "build", "release"))
    stopping = []

    def on_signal(sig, frame):
        stopping.append(sig)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    c = Cluster(state, base=base, bin_dir=bin_dir,
                workers=int(os.environ.get("EPART_WORKERS", "1")), demo=True)
    try:
        print("epart: starting three nodes under %s (ports %d…%d)" %
              (c.state, base + 100, base + 306), flush=True)
        c.start()
        tok = os.path.join(bin_dir, "epart-token")
        env = dict(c.env)

        def token(*args):
            return subprocess.run([tok] + list(args), env=env, capture_output=True,
                                  text=True).stdout.strip()
        print("\nepart cluster is running:")
        for n in c.nodes:
            print("  node %d  http://127.0.0.1:%d   (Redis %d, Sentinel %d, PostgreSQL %d)" %
                  (n.i, n.api_port, n.redis_port, n.sentinel_port, n.pg_port))
        print("  Redis primary: node %d, PostgreSQL leader: node %d" %
              (c.redis_primary().i, c.pg_leader().i))
        print("\n  partner token:\n    " + token("--role", "partner", "--org",
                                                "0b6f3c1e-3d0a-4c1e-9a51-1d2f6c7a8b01",
                                                "--sub", "demo-pass", "--ttl", "86400"))
        print("  admin token:\n    " + token("--role", "admin", "--sub", "demo-admin",
                                             "--ttl", "86400"))
        print("\nPress Ctrl-C to stop.", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a repeated signal must not cut the stop
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("\nepart: stopping the cluster", flush=True)
        c.stop()
        print("epart: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
