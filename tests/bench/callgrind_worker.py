#!/usr/bin/python3
"""callgrind_worker.py — the worker's instructions per stream entry.

Why instructions: the drain benchmark's rates and CPU times move with the load
of a shared 2-core machine; the instructions the worker executes for a given
batch do not. This script counts them with valgrind's callgrind, per kind of
entry, so that a change to the worker's hot path (parsing, preparing, applying)
is measured before and after (docs/BENCHMARKS.md, "Worker instructions per
entry").

How: one stack (tests/bench/bench.py's Stack: PostgreSQL and Redis of
deploy/stack.sh, the API and the worker of build/release). For each phase the
API is sent N real requests with no worker running, so that N entries wait in
the stream; then one epart-worker runs under callgrind (--separate-threads=yes)
until the stream is empty, and is stopped. The phases, in order (each prepares
the next):

  create           POST /v1/dossiers, bench.py's ~2 KB dossier, transmitted at
                   creation (the drain benchmark's entry)
  create_depose    the same, not transmitted (status depose)
  transmit         POST /v1/dossiers/{id}/transmit of those
  pieces           POST /v1/dossiers/{id}/pieces answering a request_pieces the
                   instructor made meanwhile (the suspension path)
  message          POST /v1/dossiers/{id}/messages

Reported per phase, divided by N: the instructions of the consumer thread
(everything it executed: reading the stream, parsing, libpq, acknowledging)
less its connections to PostgreSQL and Redis (SCRAM alone is ~67 M
instructions, and a worker slowed by valgrind may reconnect) and less the rest
of a first "idle" run on an empty stream (a few empty turns: IDLE_SECONDS),
and the inclusive
instructions of persist_batch() (prepare + apply + journal). The other threads
(scanner, webhook senders) are not counted.

Usage: tests/bench/callgrind_worker.sh [N] (default 500; EPART_BIN as bench.py);
tests/bench/callgrind_worker.sh --from var/bench/callgrind-<date> recomputes a
run's figures from its files.
Writes var/bench/callgrind-<date>/ (callgrind files, summary.json) and prints
the table. Takes a few minutes; run it on a quiet machine only for the wall
time's sake: the counts do not depend on the load.
"""
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402  (the stack, tokens, the bench's dossier)
import epart  # noqa: E402

IDLE_SECONDS = 8  # the idle phase: connections made, a few empty turns
N = int(sys.argv[1]) if len(sys.argv) == 2 else int(os.environ.get("CALLGRIND_N", "500"))
OUT = os.path.join(bench.OUT_ROOT, "callgrind-" + bench.RUN_ID)


def post(stack, path, body, token, expect=(200, 201, 202)):
    st, data = bench.http_post(stack, path, json.dumps(body), token)
    if st not in expect:
        raise RuntimeError("POST %s answered %d: %s" % (path, st, data[:300]))
    return json.loads(data) if data else None


def xlen(stack):
    return stack.redis().cmd("XLEN", "epart:ingest")


def drain_under_callgrind(stack, phase, expect):
    """One worker under callgrind until the stream is empty; its thread files."""
    if xlen(stack) != expect:
        raise RuntimeError("%s: %d entries in the stream, expected %d" %
                           (phase, xlen(stack), expect))
    prefix = os.path.join(OUT, "callgrind.%s" % phase)
    logf = open(os.path.join(OUT, "%s.log" % phase), "wb")
    p = subprocess.Popen(["valgrind", "--tool=callgrind", "--separate-threads=yes",
                          "--callgrind-out-file=%s.%%p" % prefix,
                          os.path.join(bench.BIN, "epart-worker")],
                         env=stack.env, stdout=logf, stderr=subprocess.STDOUT)
    t0 = time.time()
    if expect == 0:
        time.sleep(IDLE_SECONDS)
    while xlen(stack) > 0:
        if p.poll() is not None or time.time() - t0 > 1800:
            raise RuntimeError("%s: the worker stopped or did not drain (see %s)" %
                               (phase, logf.name))
        time.sleep(0.2)
    elapsed = time.time() - t0
    bench.Stack._stop(p, timeout=120)
    dead = stack.redis().cmd("XLEN", "epart:ingest:dead")
    if dead:
        raise RuntimeError("%s: %d entries dead-lettered" % (phase, dead))
    files = [os.path.join(OUT, f) for f in os.listdir(OUT)
             if f.startswith("callgrind.%s.%d" % (phase, p.pid))]
    return files, elapsed


def totals(path):
    with open(path) as f:
        for line in f:
            if line.startswith("totals:") or line.startswith("summary:"):
                return int(line.split()[1])
    return 0


def inclusive(path, fn):
    r = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", path],
                       capture_output=True, text=True)
    for line in r.stdout.splitlines():
        m = re.match(r"\s*([\d,]+)\s.*[: ]%s( |$)" % re.escape(fn), line)
        if m:
            return int(m.group(1).replace(",", ""))
    return 0


CONNECT_FNS = ("db_connect", "primary_connect")


def thread_figures(path):
    """(all instructions of the consumer thread, those of its connections —
    PostgreSQL's SCRAM exchange alone is ~67 M, and a worker slowed by valgrind
    may reconnect —, persist_batch's inclusive)."""
    return (totals(path), sum(inclusive(path, fn) for fn in CONNECT_FNS),
            inclusive(path, "persist_batch"))


def figures(phase, n, path, results):
    thread, conn, persist = thread_figures(path)
    if n == 0:
        results[phase] = {"entries": 0, "consumer_ir": thread, "connections_ir": conn,
                          "file": os.path.relpath(path, bench.ROOT)}
        bench.log("callgrind %s: consumer %d Ir, %d of them connecting" % (phase, thread, conn))
        return
    idle = results["idle"]["consumer_ir"] - results["idle"]["connections_ir"]
    per = (thread - conn - idle) // n
    results[phase] = {"entries": n, "consumer_ir": thread, "connections_ir": conn,
                      "persist_batch_ir": persist, "consumer_ir_per_entry": per,
                      "persist_batch_ir_per_entry": persist // n,
                      "file": os.path.relpath(path, bench.ROOT)}
    bench.log("callgrind %s: %d entries, consumer %d Ir/entry, persist_batch %d Ir/entry" %
              (phase, n, per, persist // n))


def consumer_file(files, phase):
    consumer = [f for f in files if "consumer_main" in open(f, errors="replace").read()]
    if len(consumer) != 1:
        raise RuntimeError("%s: no single consumer thread among %s" % (phase, files))
    return consumer[0]


def measure(stack, phase, results, n=None):
    n = N if n is None else n
    files, elapsed = drain_under_callgrind(stack, phase, n)
    figures(phase, n, consumer_file(files, phase), results)
    results[phase]["seconds_under_valgrind"] = round(elapsed, 1)


def report(results, commit, n, out):
    print("| entry | consumer thread Ir/entry | persist_batch Ir/entry |")
    print("|---|---|---|")
    for phase, r in results.items():
        if phase not in ("check", "idle"):
            print("| %s | %s | %s |" % (phase, format(r["consumer_ir_per_entry"], ","),
                                        format(r["persist_batch_ir_per_entry"], ",")))
    print("check: %s; commit %s; %d entries per phase; %s" %
          (results.get("check"), commit, n, os.path.relpath(out, bench.ROOT)))


def recompute(out):
    """--from DIR: the figures again from a run's callgrind files."""
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    results = {}
    for phase, r in summary["phases"].items():
        if phase == "check":
            results[phase] = r
            continue
        figures(phase, r["entries"], os.path.join(bench.ROOT, r["file"]), results)
        results[phase]["seconds_under_valgrind"] = r.get("seconds_under_valgrind")
    summary["phases"] = results
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    report(results, summary["commit"], results["create"]["entries"], out)


def main():
    os.makedirs(OUT, exist_ok=True)
    stack = bench.Stack("callgrind").start(api=True, workers=0)
    results = {}
    try:
        token = bench.bench_token()
        org_caisse = stack.psql("SELECT caisse FROM organisations WHERE id = '%s'" % bench.ORG)
        instructor = epart.instructor_token(org_caisse, sub="bench-instructeur",
                                            exp=int(time.time()) + 7200)
        body = json.loads(bench.dossier_body())
        measure(stack, "idle", results, 0)
        for _ in range(N):
            post(stack, "/v1/dossiers", body, token)
        measure(stack, "create", results)
        depose = dict(body, transmit=False)
        ids = [post(stack, "/v1/dossiers", depose, token)["id"] for _ in range(N)]
        measure(stack, "create_depose", results)
        for i in ids:
            post(stack, "/v1/dossiers/%s/transmit" % i, {}, token)
        measure(stack, "transmit", results)
        for i in ids:
            post(stack, "/v1/dossiers/%s/transitions" % i, {"action": "start_instruction"},
                 instructor)
            post(stack, "/v1/dossiers/%s/transitions" % i,
                 {"action": "request_pieces", "pieces": ["justificatif_domicile"]}, instructor)
        for i in ids:
            post(stack, "/v1/dossiers/%s/pieces" % i,
                 {"pieces": [{"kind": "justificatif_domicile", "filename": "edf.pdf",
                              "sha256": "c" * 64, "size": 10}]}, token)
        measure(stack, "pieces", results)
        for i in ids:
            post(stack, "/v1/dossiers/%s/messages" % i,
                 {"body": "Le justificatif de domicile est joint."}, token)
        measure(stack, "message", results)
        statuses = stack.psql("SELECT string_agg(status || ' ' || n, ', ' ORDER BY status) "
                              "FROM (SELECT status, count(*) n FROM dossiers GROUP BY 1) s")
        messages = stack.psql("SELECT count(*) FROM dossier_messages")
        results["check"] = {"statuses": statuses, "messages": int(messages)}
    finally:
        stack.stop()
    commit = subprocess.run(["git", "-C", bench.ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    summary = {"date": bench.now_iso(), "commit": commit, "bin": bench.BIN, "phases": results}
    with open(os.path.join(OUT, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    report(results, commit, N, OUT)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--from":
        recompute(sys.argv[2])
    else:
        main()
