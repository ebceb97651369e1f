#!/usr/bin/python3
"""callgrind.py — instructions per operation of epart-api (issue 15, goal 5).

Wall-clock figures move with the machine's load; instruction counts do not. This
runs epart-api under `valgrind --tool=callgrind` on a stack of its own (the
bench's: deploy/stack.sh, durable Redis, demonstration data, no worker), warms it
up with BENCH_CG_WARMUP operations with collection off, switches collection on
(callgrind_control -i on), sends N operations over one keep-alive connection,
switches it off and divides the instructions of the threads that serve requests
(HTTP, database, hash and audit threads; not those that follow a clock of their
own, whose reconnections depend on timing) by N.

  tests/bench/callgrind.py [post|get|list] [N]  (default: post 200)

  post  POST /v1/dossiers, the ingest benchmark's ~2.3 KB dossier and token,
        every answer a 202 (Redis answers through the Lua script, fsync on).
  get   GET /v1/dossiers/{id} of dossiers persisted in PostgreSQL (created
        through POST with one worker running, then the worker stopped).

Prints "Ir per <op>: X" and the 25 costliest functions (inclusive and self),
keeps callgrind.out under var/bench/callgrind-<date>/. EPART_BIN as bench.py.
"""
import glob
import http.client
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the stack, the body, the token)

WARMUP = int(os.environ.get("BENCH_CG_WARMUP", "50"))
# entry functions of the API's background threads (api/revocations.c,
# common/clock.c, common/redis_primary.c, api/oidc.c)
BACKGROUND = ("follow", "follow_loop", "watch", "provider_main")


def start_api_under_callgrind(stack, out_dir):
    stack.start_api(prefix=["valgrind", "--tool=callgrind", "--instr-atstart=no",
                            "--separate-threads=yes",
                            "--callgrind-out-file=%s/callgrind.out.%%p" % out_dir],
                    ready_s=300)


def control(pid, *args):
    r = subprocess.run(["callgrind_control"] + list(args) + [str(pid)],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError("callgrind_control %s: %s" % (" ".join(args), r.stderr))


def main(argv):
    op = argv[0] if argv else "post"
    n = int(argv[1]) if len(argv) > 1 else 200
    out_dir = os.path.join(bench.OUT_ROOT, "callgrind-" + bench.RUN_ID)
    os.makedirs(out_dir, exist_ok=True)
    reads = op in ("get", "list")
    stack = bench.Stack("callgrind").start(api=reads, workers=1 if reads else 0)
    try:
        token = bench.bench_token()
        body = bench.dossier_body()
        ids = []
        if reads:
            for _ in range(n):
                st, data = bench.http_post(stack, "/v1/dossiers", body, token)
                assert st == 202, (st, data)
                ids.append(json.loads(data)["id"])
            bench.wait_worker_idle(stack, len(ids))
            stack.stop_workers()
            stack.stop_api()
        start_api_under_callgrind(stack, out_dir)
        pid = stack.api.pid
        conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=60)
        hdrs = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}

        def one(i):
            if op == "post":
                conn.request("POST", "/v1/dossiers", body=body.encode(), headers=hdrs)
                want = 202
            elif op == "get":
                conn.request("GET", "/v1/dossiers/" + ids[i % len(ids)], headers=hdrs)
                want = 200
            else:
                conn.request("GET", "/v1/dossiers?limit=50", headers=hdrs)
                want = 200
            r = conn.getresponse()
            data = r.read()
            if r.status != want:
                raise RuntimeError("%s answered %d: %s" % (op, r.status, data[:300]))

        for i in range(WARMUP):
            one(i)
        control(pid, "-z")
        control(pid, "-i", "on")
        for i in range(n):
            one(i)
        control(pid, "-i", "off")
        control(pid, "-d")
        conn.close()
        stack.stop_api()
        files = sorted(glob.glob(os.path.join(out_dir, "callgrind.out.%d*" % pid)))
        # "-d" dumped the measured part, one file per thread; the dump at exit
        # holds nothing more (collection off). The threads that follow
        # something on a clock of their own (revocations, the product clock,
        # the Redis primary, the OpenID provider) are not the operation's cost
        # and their reconnections depend on timing: left out, and shown.
        total, left_out = 0, {}
        kept = []
        for f in files:
            text = open(f).read()
            m = re.search(r"^totals:\s+(\d+)", text, re.M)
            ir = int(m.group(1)) if m else 0
            bg = re.search(r"^fn=\(\d+\) (%s)$" % "|".join(BACKGROUND), text, re.M)
            if bg:
                left_out[bg.group(1)] = left_out.get(bg.group(1), 0) + ir
            elif ir > 0:
                total += ir
                kept.append(f)
        files = kept
        per = total / n
        print("Ir per %s: %.0f (%d operations, %d instructions in %s; left out: %s)" %
              (op, per, n, total, ", ".join(os.path.basename(f) for f in files),
               ", ".join("%s %d" % kv for kv in sorted(left_out.items())) or "nothing"))
        for f in files:
            for flag in ([], ["--inclusive=yes"]):
                r = subprocess.run(["callgrind_annotate", "--threshold=99"] + flag + [f],
                                   capture_output=True, text=True)
                lines = [x for x in r.stdout.splitlines() if re.match(r"\s*[\d,]+ ", x)]
                print("--- %s %s" % (os.path.basename(f), "inclusive" if flag else "self"))
                print("\n".join(lines[:26]))
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
