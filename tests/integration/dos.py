"""dos.py — what the denial-of-service tests share: a victim that keeps reading
while an attack runs, and the numbers of its latencies.

The victim is an instructor listing dossiers (GET /v1/dossiers), the request
the issue measured; the attacker is whatever the test runs meanwhile.
"""
import socket
import struct
import threading
import time

import epart


def percentile(values, p):
    if not values:
        return None
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(p / 100.0 * (len(s) - 1)))))
    return s[k]


class Victim:
    """An instructor reading /v1/dossiers in a loop, each latency recorded."""

    def __init__(self, stack, caisse="171", pause=0.05):
        self.client = stack.client(epart.instructor_token(caisse))
        self.pause = pause
        self.latencies = []
        self.statuses = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self.stop.is_set():
            t0 = time.monotonic()
            try:
                r = self.client.get("/v1/dossiers?limit=5", timeout=15)
                status = r.status
            except OSError:
                status = 0
            self.latencies.append(time.monotonic() - t0)
            self.statuses.append(status)
            self.stop.wait(self.pause)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(20)

    def summary(self):
        # without a single request there is nothing measured: every bound
        # below would hold vacuously
        assert self.latencies, "the victim made no request"
        return {"n": len(self.latencies),
                "p50_ms": round(1000 * percentile(self.latencies, 50), 1),
                "p99_ms": round(1000 * percentile(self.latencies, 99), 1),
                "max_ms": round(1000 * max(self.latencies), 1),
                "non_200": [s for s in self.statuses if s != 200]}


def measure_under_attack(stack, stop, attackers, settle, seconds=6.0):
    """Start the attackers (threads that loop until stop is set), let them
    settle, then measure a Victim for seconds; stop and join the attackers.
    Returns the victim's summary and the API's VmRSS under attack (KiB)."""
    for t in attackers:
        t.start()
    time.sleep(settle)
    with Victim(stack) as v:
        time.sleep(seconds)
        rss = vm_rss_kib(stack.api.pid)
    stop.set()
    for t in attackers:
        t.join(30)
    return v.summary(), rss


def baseline(stack, seconds=2.0):
    with Victim(stack) as v:
        time.sleep(seconds)
    return v.summary()


class SilentDNS:
    """A DNS server that receives every query and never answers."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.queries = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while True:
            try:
                self.sock.recvfrom(4096)
            except OSError:
                return
            self.queries += 1

    def resolv_conf(self, path):
        with open(path, "w") as f:
            f.write("nameserver 127.0.0.1:%d\n" % self.port)
        return path

    def close(self):
        self.sock.close()


def vm_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def post_from(port, source_ip, path, body, timeout=30):
    """POST JSON from a chosen loopback address (127.x.y.z all reach the API):
    each test, or each attacker, is then its own client address."""
    import http.client
    import json as _json
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                      source_address=(source_ip, 0))
    try:
        conn.connect()
        no_time_wait(conn.sock)
        conn.request("POST", path, body=_json.dumps(body).encode(),
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        return epart.Response(r.status, r.getheaders(), r.read())
    finally:
        conn.close()


def no_time_wait(sock):
    """Close with a reset: the thousands of connections of an attack leave no
    port in TIME_WAIT for the next stack to trip on."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
