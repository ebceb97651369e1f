"""The stream entry's meta is versioned (common/stream.h): a worker that meets a
version it does not know moves the entry to the dead-letter stream at once —
no retries, nothing written to PostgreSQL — and says why in its log."""
import json
import time
import uuid

from epart import wait_for


def dead_letter_of(stack, sid):
    out = stack.redis("XRANGE", "epart:ingest:dead", "-", "+")
    return sid in out.split("\n")


def test_unknown_meta_version_is_dead_lettered_at_once(stack):
    oid = str(uuid.uuid4())
    meta = {"v": 2, "entry": str(uuid.uuid4()), "id": oid, "org": str(uuid.uuid4()),
            "caisse": "171", "received_at_us": int(time.time() * 1e6)}
    sid = stack.redis("XADD", "epart:ingest", "*", "type", "dossier.create",
                      "meta", json.dumps(meta), "body", "{}")
    assert "-" in sid, sid
    t0 = time.monotonic()
    assert wait_for(lambda: dead_letter_of(stack, sid), timeout=10), \
        "entry of an unknown version not dead-lettered"
    # at once: well before a claim of idle entries (EPART_CLAIM_IDLE_MS) could retry it
    assert time.monotonic() - t0 < 8
    assert wait_for(lambda: stack.redis("XRANGE", "epart:ingest", sid, sid) == "", timeout=5)
    assert stack.psql("SELECT count(*) FROM dossiers WHERE id = '%s'" % oid) == "0"
    logs = "".join(open(p, errors="replace").read() for p in stack.logs)
    assert "meta version 2 unknown to this worker" in logs
