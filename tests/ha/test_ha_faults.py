"""Faults of one node of three, under continuous submissions
(docs/high-availability.md, "Fault tests"). Each test reports
ha[<name>] acknowledged=… lost=… doubled=… without_service_s=… and asserts
that nothing acknowledged is lost or doubled."""
import os
import signal
import time

import cluster as cl
import halib as H


def check(f):
    assert f["lost"] == 0, f
    assert f["doubled"] == 0, f
    assert f["unresolved"] == 0, f
    assert f["acknowledged"] > 0, f


def test_redis_primary_killed(cluster):
    c = cluster
    H.wait_healthy(c)
    victim = c.redis_primary()

    def fault():
        victim.procs["redis"].send_signal(signal.SIGKILL)
        victim.procs["redis"].wait()
        t0 = time.monotonic()
        new = cl.wait_for(lambda: (lambda p: p if p is not None and p is not victim else None)(
            c.redis_primary()), 30, "Sentinel to promote a replica")
        return {"killed": "redis@node%d" % victim.i, "promoted": "node%d" % new.i,
                "promotion_s": time.monotonic() - t0}

    def heal():
        H.restart(victim, "redis")
        H.wait_healthy(c)

    check(H.run_with_fault(c, "redis_primary_sigkill", fault, heal))


def test_pg_leader_killed(cluster):
    c = cluster
    H.wait_healthy(c)
    victim = c.pg_leader()

    def fault():
        # Patroni first, so that it cannot restart its postgres in place
        victim.procs["patroni"].send_signal(signal.SIGKILL)
        for pid in victim.pg_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # a backend that was exiting
        victim.procs["patroni"].wait()
        t0 = time.monotonic()
        new = cl.wait_for(lambda: (lambda p: p if p is not None and p is not victim else None)(
            c.pg_leader()), 60, "Patroni to elect another leader")
        return {"killed": "patroni+postgres@node%d" % victim.i, "new_leader": "node%d" % new.i,
                "leader_election_s": time.monotonic() - t0}

    def heal():
        H.restart(victim, "patroni")
        H.wait_healthy(c, timeout=120)

    f = H.run_with_fault(c, "pg_leader_sigkill", fault, heal, after=2.0)
    check(f)
    # ingest never waits on PostgreSQL: the API kept answering 202
    assert f["without_service_s"] < 5, f


def test_node_killed(cluster):
    c = cluster
    H.wait_healthy(c)
    victim = c.redis_primary()

    def fault():
        was_leader = c.pg_leader() is victim
        victim.signal_all(signal.SIGKILL)
        for p in victim.procs.values():
            p.wait()
        t0 = time.monotonic()
        cl.wait_for(lambda: (lambda p: p if p is not None and p is not victim else None)(
            c.redis_primary()), 30, "Sentinel to promote a replica", interval=0.05)
        t_redis = time.monotonic() - t0
        cl.wait_for(lambda: (lambda p: p if p is not None and p is not victim else None)(
            c.pg_leader()), 60, "a Patroni leader on another node", interval=0.05)
        # where the time without service goes: Sentinel (down-after 2 s, its
        # election), Patroni (ttl 10 s, only if the leader was there; ingest
        # does not wait for it), then each API's own gap (gap_by_node_s)
        return {"killed": "node%d" % victim.i, "was_pg_leader": was_leader,
                "redis_promoted_s": t_redis, "failover_s": time.monotonic() - t0}

    def heal():
        H.restart(victim, "etcd", "patroni", "redis", "sentinel", "api", "worker")
        H.wait_healthy(c, timeout=120)

    check(H.run_with_fault(c, "node_sigkill", fault, heal))


def test_redis_primary_paused(cluster):
    """SIGSTOP of the primary until Sentinel promoted another, then SIGCONT:
    the research's loss with WAIT 1 (1 230 of 9 536)."""
    c = cluster
    H.wait_healthy(c)
    victim = c.redis_primary()

    def fault():
        victim.procs["redis"].send_signal(signal.SIGSTOP)
        t0 = time.monotonic()
        try:
            new = cl.wait_for(lambda: (lambda p: p if p is not None and p is not victim else None)(
                c.redis_primary()), 30, "Sentinel to promote a replica")
        finally:
            victim.procs["redis"].send_signal(signal.SIGCONT)
        return {"paused": "redis@node%d" % victim.i, "promoted": "node%d" % new.i,
                "paused_s": time.monotonic() - t0}

    def heal():
        H.wait_healthy(c)

    check(H.run_with_fault(c, "redis_primary_sigstop", fault, heal))


def test_redis_primary_partitioned(cluster):
    """The node of the Redis primary cut off from the two others by nftables
    (network namespaces), its clients still reaching it: the minority side must
    acknowledge nothing (the research: without WAIT, 16 944 writes missing)."""
    c = cluster
    import pytest
    if not c.netns:
        pytest.skip("needs root, ip netns and nft")
    H.wait_healthy(c)
    victim = c.redis_primary()
    cut_s = 8.0

    def fault():
        c.partition(victim)
        t0 = time.monotonic()
        try:
            others = [n for n in c.nodes if n is not victim]

            def promoted():
                for n in others:
                    try:
                        addr = c.sentinel(n, "get-master-addr-by-name", cl.MASTER)
                    except (OSError, RuntimeError):
                        continue
                    if addr and int(addr[1]) != victim.redis_port:
                        return n
                return None
            new = cl.wait_for(promoted, 30, "the majority's Sentinels to promote a replica")
            t_promoted = time.monotonic() - t0
            time.sleep(max(0.0, cut_s - (time.monotonic() - t0)))
        finally:
            c.heal(victim)
        return {"cut_off": "node%d" % victim.i, "promoted_after_s": t_promoted,
                "cut_s": time.monotonic() - t0}

    def heal():
        H.wait_healthy(c, timeout=120)

    check(H.run_with_fault(c, "node_partitioned", fault, heal))


def test_three_nodes_fire_each_alert_once(cluster):
    """Three workers on three nodes scan the same deadlines (SKIP LOCKED,
    fired_rank): each warning and each breach fires once, whichever node's
    API moved the shared test clock. Last: it moves the clock for good."""
    import json
    import http.client
    import epart
    c = cluster
    H.wait_healthy(c)

    def call(node, method, path, body, token):
        conn = http.client.HTTPConnection(node.host, node.api_port, timeout=30)
        conn.request(method, path, body=json.dumps(body),
                     headers={"Authorization": "Bearer " + token,
                              "Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, data

    admin = epart.admin_token()
    assert call(c.nodes[0], "PUT", "/v1/admin/clock", {"now": "2026-11-23T09:00:00Z"},
                admin)[0] == 200
    time.sleep(0.5)  # every process follows the shared clock every 100 ms
    n = 60
    ids = []
    for k in range(n):
        b = epart.dossier_body("puma")
        b["consent"]["obtained_on"] = "2026-11-23"
        b["situation"]["residence_since"] = "2020-01-01"
        status, data = call(c.nodes[k % 3], "POST", "/v1/dossiers", b, c.token)
        assert status == 202, data
        ids.append(json.loads(data)["id"])
    inlist = ",".join("'%s'" % i for i in ids)
    cl.wait_for(lambda: c.psql("SELECT count(*) FROM dossiers WHERE id IN (%s)" % inlist)
                == str(n), 60, "the dossiers persisted")
    # each step waits for its alerts: on a jump past several thresholds only
    # the most severe fires (docs/deadlines.md)
    for k, (now, level, lead) in enumerate([("2026-12-19T00:00:00Z", "warning", "P5D"),
                                            ("2026-12-23T00:00:00Z", "warning", "P1D"),
                                            ("2027-01-10T00:00:00Z", "breach", None)]):
        assert call(c.nodes[(k + 1) % 3], "PUT", "/v1/admin/clock", {"now": now},
                    admin)[0] == 200
        cl.wait_for(lambda: c.psql(
            "SELECT count(*) FROM alerts WHERE level = '%s' AND coalesce(lead, '') = '%s' "
            "AND object_id IN (%s)" % (level, lead or "", inlist)) == str(n), 60,
            "every %s %s" % (level, lead or ""))
    time.sleep(1.5)
    rows = c.psql("SELECT level, coalesce(lead, ''), count(*), count(DISTINCT object_id) "
                  "FROM alerts WHERE object_id IN (%s) GROUP BY 1, 2 ORDER BY 1, 2"
                  % inlist).splitlines()
    fired = {}
    for row in rows:
        level, lead, count, distinct = row.split("|")
        assert count == distinct, row  # never twice for one dossier
        fired[(level, lead)] = int(count)
    H.report("alerts_three_nodes", dossiers=n, **{"%s_%s" % k: v for k, v in fired.items()})
    assert fired == {("breach", ""): n, ("warning", "P1D"): n, ("warning", "P5D"): n}, fired
