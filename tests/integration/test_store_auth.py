"""Redis and PostgreSQL require authentication (SPEC §11, issue 9 finding 9).

Anyone who reached Redis could XADD an entry with a forged organisation, which
the worker trusts; PostgreSQL was initialised with trust. Now: an ACL user
limited to deploy/redis-commands.txt, the default user behind its own password,
SCRAM on every PostgreSQL connection (local socket included), passwords in
secrets/ (0700/0600) or given by EPART_REDIS_PASSWORD / EPART_PG_PASSWORD, and
never written to a log.
"""
import os
import socket
import uuid
import stat
import subprocess

import pytest

import epart

ROOT = epart.ROOT


def resp(port, *commands):
    """Send commands on one fresh connection; the raw replies, one per command
    (a test of what Redis answers to someone who did not authenticate)."""
    out = []
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        f = s.makefile("rb")
        for args in commands:
            buf = b"*%d\r\n" % len(args)
            for a in args:
                a = a if isinstance(a, bytes) else str(a).encode()
                buf += b"$%d\r\n%s\r\n" % (len(a), a)
            s.sendall(buf)
            line = f.readline().rstrip(b"\r\n")
            if line[:1] == b"$" and int(line[1:]) >= 0:
                line += b" " + f.readline().rstrip(b"\r\n")
            elif line[:1] == b"*":
                for _ in range(max(0, int(line[1:]))):
                    item = f.readline()
                    if item[:1] == b"$" and int(item[1:]) >= 0:
                        f.readline()
            out.append(line.decode(errors="replace"))
    return out


def listed_commands():
    with open(os.path.join(ROOT, "deploy", "redis-commands.txt")) as f:
        return [l.split("#")[0].strip() for l in f if l.split("#")[0].strip()]


def test_secrets_are_owner_only(stack):
    d = os.path.join(stack.state, "secrets")
    assert stat.S_IMODE(os.stat(d).st_mode) == 0o700
    names = sorted(os.listdir(d))
    assert names == ["pg_admin_password", "pg_password", "redis_admin_password",
                     "redis_password"]
    for n in names:
        st = os.stat(os.path.join(d, n))
        assert stat.S_IMODE(st.st_mode) == 0o600, n
        assert len(stack.secret(n)) >= 32, n
    acl = os.path.join(stack.state, "redis", "users.acl")
    assert stat.S_IMODE(os.stat(acl).st_mode) == 0o600
    text = open(acl).read()
    for n in ("redis_password", "redis_admin_password"):
        assert stack.secret(n) not in text, "the ACL file holds hashes, never passwords"


def test_redis_refuses_the_unauthenticated(stack):
    port = int(stack.env["EPART_REDIS_PORT"])
    # Besides the ingest stream (which the workers drain meanwhile, so its
    # length proves nothing), a stream of this test's own that nobody reads:
    # had any forged XADD got in, this key would exist.
    witness = "epart:test-forged:" + uuid.uuid4().hex
    forged = ("XADD", "epart:ingest", "*", "type", "dossier",
              "meta", '{"org":"00000000-0000-4000-8000-000000000000"}', "body", "{}")
    forged_witness = ("XADD", witness, "*", "type", "dossier", "body", "{}")
    ping, xadd, xadd2, get = resp(port, ("PING",), forged, forged_witness,
                                  ("GET", "epart:clock"))
    assert ping.startswith("-NOAUTH"), ping
    assert xadd.startswith("-NOAUTH"), xadd
    assert xadd2.startswith("-NOAUTH"), xadd2
    assert get.startswith("-NOAUTH"), get
    assert stack.redis("EXISTS", witness) == "0", "the forged entry got in"
    # the default user is not open either: without its password it is refused
    for auth in (("AUTH", ""), ("AUTH", "default", ""), ("AUTH", "default", "nopass"),
                 ("AUTH", "epart", "wrong"), ("AUTH", "epart", stack.secret("redis_admin_password"))):
        r = resp(port, auth, forged, forged_witness)
        assert r[0].startswith("-WRONGPASS") or r[0].startswith("-ERR"), (auth[:2], r)
        assert r[1].startswith("-NOAUTH"), (auth[:2], r)
        assert r[2].startswith("-NOAUTH"), (auth[:2], r)
    assert stack.redis("EXISTS", witness) == "0"


def test_epart_user_runs_only_its_commands(stack):
    port = int(stack.env["EPART_REDIS_PORT"])
    auth = ("AUTH", "epart", stack.secret("redis_password"))
    replies = resp(port, auth, ("XLEN", "epart:ingest"), ("CONFIG", "GET", "port"),
                   ("FLUSHALL",), ("KEYS", "*"), ("CLIENT", "LIST"), ("SHUTDOWN",),
                   ("ACL", "LIST"), ("SCRIPT", "FLUSH"), ("SET", "elsewhere", "x"),
                   ("XADD", "other:stream", "*", "a", "b"), ("SUBSCRIBE", "epart:x"),
                   ("EVAL", "return redis.call('FLUSHALL')", "0"),
                   ("EVAL", "return redis.call('GET', KEYS[1])", "1", "epart:clock"))
    assert replies[0] == "+OK"
    assert replies[1].startswith(":"), replies[1]
    for r in replies[2:12]:
        assert r.startswith("-NOPERM"), replies
    assert "-NOPERM" in replies[12] or "-ERR" in replies[12], replies[12]
    assert not replies[13].startswith("-"), replies[13]
    assert stack.redis("PING") == "PONG"  # nothing above stopped or emptied Redis


def test_acl_is_the_list_of_redis_commands_txt(stack):
    """Every command of the one list is allowed to the epart user (ACL DRYRUN),
    the administrative ones are not; BGREWRITEAOF is there for the purge."""
    cmds = listed_commands()
    assert "bgrewriteaof" in cmds and "keys" not in cmds and "config" not in cmds
    sample = {  # arguments of the right arity, on an epart key
        "eval": ["return 1", "0"], "evalsha": ["0" * 40, "0"], "set": ["epart:x", "v"],
        "expire": ["epart:x", "10"], "xadd": ["epart:x", "*", "f", "v"],
        "xrange": ["epart:x", "-", "+"], "hset": ["epart:x", "f", "v"],
        "hget": ["epart:x", "f"], "hmget": ["epart:x", "f"], "hdel": ["epart:x", "f"],
        "hincrby": ["epart:x", "f", "1"], "xgroup|create": ["epart:x", "g", "0"],
        "xreadgroup": ["GROUP", "g", "c", "STREAMS", "epart:x", ">"],
        "xautoclaim": ["epart:x", "g", "c", "0", "0-0"], "xack": ["epart:x", "g", "0-1"],
        "xdel": ["epart:x", "0-1"], "ping": [], "bgrewriteaof": [], "role": [],
        "wait": ["0", "0"], "sadd": ["epart:x", "m"], "smembers": ["epart:x"],
    }
    for c in cmds:
        args = c.split("|") + sample.get(c, ["epart:x"])
        r = stack.redis("ACL", "DRYRUN", "epart", *args)
        assert r == "OK", (c, r)
    for c in (["CONFIG", "GET", "port"], ["FLUSHALL"], ["KEYS", "*"], ["FLUSHDB"],
              ["SCAN", "0"], ["MIGRATE"], ["MODULE", "LIST"], ["REPLICAOF", "NO", "ONE"]):
        r = stack.redis("ACL", "DRYRUN", "epart", *c)
        assert r != "OK", (c, r)


def _psql(stack, user, password, via_socket):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if password is not None:
        env["PGPASSWORD"] = password
    host = "127.0.0.1"
    if via_socket:
        loc = os.path.join(stack.state, "pg.location")
        root = open(loc).read().strip() if os.path.exists(loc) else stack.state
        host = os.path.join(root, "run")
    cmd = ["psql", "-X", "-w", "-tA", "-h", host, "-p", stack.env["EPART_PG_PORT"], "-U", user,
           "-d", "epart", "-c", "SELECT 42"]
    if os.getuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    return subprocess.run(cmd, capture_output=True, text=True, env=env)


@pytest.mark.parametrize("via_socket", [False, True], ids=["tcp", "socket"])
def test_postgresql_requires_a_password(stack, via_socket):
    for user in ("epart", "postgres"):
        r = _psql(stack, user, None, via_socket)
        assert r.returncode != 0 and "password" in r.stderr, (user, r.stderr)
        r = _psql(stack, user, "not-the-password", via_socket)
        assert r.returncode != 0 and "password authentication failed" in r.stderr, r.stderr
    r = _psql(stack, "epart", stack.secret("pg_password"), via_socket)
    assert r.returncode == 0 and r.stdout.strip() == "42", r.stderr
    r = _psql(stack, "postgres", stack.secret("pg_admin_password"), via_socket)
    assert r.returncode == 0, r.stderr


def test_pg_hba_has_no_trust(stack):
    rules = subprocess.run(
        (["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []) +
        ["psql", "-X", "-w", "-tA", "-h", "127.0.0.1", "-p", stack.env["EPART_PG_PORT"],
         "-U", "postgres", "-d", "postgres", "-c",
         "SELECT DISTINCT auth_method FROM pg_hba_file_rules"],
        capture_output=True, text=True,
        env=dict(os.environ, PGPASSWORD=stack.secret("pg_admin_password")))
    assert rules.returncode == 0, rules.stderr
    assert rules.stdout.split() == ["scram-sha-256"]


def test_no_password_in_any_log(stack, admin):
    assert admin.get("/v1/organisations").status == 200
    secrets = [stack.secret(n) for n in ("redis_password", "redis_admin_password",
                                         "pg_password", "pg_admin_password")]
    roots = [os.path.join(stack.state, "log")]
    loc = os.path.join(stack.state, "pg.location")
    if os.path.exists(loc):
        roots.append(os.path.join(open(loc).read().strip(), "log"))
    seen = 0
    for root in roots:
        for name in os.listdir(root):
            text = open(os.path.join(root, name), errors="replace").read()
            seen += 1
            for s in secrets:
                assert s not in text, "a password is in %s" % name
    assert seen >= 3


def test_given_passwords_are_used_and_not_written():
    s = epart.Stack(workers=1, extra_env={"EPART_REDIS_PASSWORD": "redis given 'pw' \\ 1",
                                          "EPART_PG_PASSWORD": "pg given 'pw' \\ 2"})
    try:
        s.start()
        names = os.listdir(os.path.join(s.state, "secrets"))
        assert "redis_password" not in names and "pg_password" not in names, names
        port = int(s.env["EPART_REDIS_PORT"])
        assert resp(port, ("AUTH", "epart", "redis given 'pw' \\ 1"))[0] == "+OK"
        assert _psql(s, "epart", "pg given 'pw' \\ 2", False).returncode == 0
        org = s.client(epart.admin_token()).post("/v1/organisations",
                                                 epart.organisation_body(kind="pass_ville"))
        assert org.status == 201, org
        partner = s.client(epart.partner_token(org.json["id"]))
        r = partner.post("/v1/dossiers", epart.dossier_body())
        assert r.status == 202, r
        # persisted by the worker, which reached both stores with the given passwords
        assert epart.wait_for(lambda: s.psql("SELECT count(*) FROM dossiers WHERE id = '%s'"
                                             % r.json["id"]) == "1", timeout=20)
    finally:
        assert not s.stop()
