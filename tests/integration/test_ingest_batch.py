"""Ingest calls of one loop turn in one script call (api/support/ingest.c).

Many POST /v1/dossiers arrive at once on connections opened beforehand, so
that each HTTP loop reads several in one turn and sends them to Redis as one
script call. Every answer must be the one its own request would have had
alone: a 202 with its own id, reference and Location, the first answer again
for a repeated Idempotency-Key (also within one call: the groups run in
order), 422 for a key reused with another body, and 503 once the backlog
(EPART_INGEST_BACKLOG) is full — and the stream must hold exactly the accepted
entries, each with its read-your-writes record. No worker runs: the stream
only grows."""
import json
import re
import socket
import uuid

import pytest

import epart

BACKLOG = 40


@pytest.fixture(scope="module")
def batch_stack():
    s = epart.Stack(workers=0, extra_env={"EPART_INGEST_BACKLOG": str(BACKLOG)}).start()
    yield s
    reports = s.stop()
    assert not reports, "sanitizer reports: %s" % reports


@pytest.fixture(scope="module")
def token(batch_stack):
    admin = batch_stack.client(epart.admin_token())
    r = admin.post("/v1/organisations", epart.organisation_body(kind="ccas", name="CCAS lot"))
    assert r.status == 201, r
    return epart.partner_token(r.json["id"])


def burst(port, token, requests):
    """Send every request (body, key or None) on its own connection, all
    written before any answer is read; the answers in the same order."""
    socks = []
    for _ in requests:
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        socks.append(s)
    datas = []
    for body, key in requests:
        data = json.dumps(body).encode()
        head = ("POST /v1/dossiers HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                "Content-Length: %d\r\nConnection: close\r\n" % (token, len(data)))
        if key is not None:
            head += "Idempotency-Key: %s\r\n" % key
        datas.append(head.encode() + b"\r\n" + data)
    for s, d in zip(socks, datas):
        s.sendall(d)
    out = []
    for s in socks:
        raw = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            raw += chunk
        s.close()
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        status = int(lines[0].split()[1])
        headers = [tuple(x.split(": ", 1)) for x in lines[1:]]
        out.append(epart.Response(status, headers, body))
    return out


def script_calls(stack):
    info = stack.redis("INFO", "commandstats")
    n = 0
    for cmd in ("evalsha", "eval"):
        m = re.search(r"cmdstat_%s:calls=(\d+)" % cmd, info)
        n += int(m.group(1)) if m else 0
    return n


def stream_entries(stack):
    """{object id: (reference, stream id)} of every entry of the stream."""
    raw = stack.redis("--json", "XRANGE", "epart:ingest", "-", "+")
    out = {}
    for sid, fields in json.loads(raw):
        f = dict(zip(fields[::2], fields[1::2]))
        meta = json.loads(f["meta"])
        assert meta["id"] not in out, "two entries for one object"
        out[meta["id"]] = (meta["reference"], sid)
    return out


def check_accepted(stack, answers, entries):
    for r in answers:
        assert r.status == 202, r
        did = r.json["id"]
        assert r.header("Location") == "/v1/dossiers/" + did
        assert did in entries, "a 202 without its entry"
        assert entries[did][0] == r.json["reference"]
        assert re.fullmatch(r"EP-\d{8}-\d{6}", r.json["reference"])
        assert stack.redis("HGET", "epart:pending:" + did, "stream_id") == entries[did][1]


def test_many_posts_of_one_turn(batch_stack, token):
    stack = batch_stack
    key_a, key_b = "lot-a-" + uuid.uuid4().hex, "lot-b-" + uuid.uuid4().hex
    calls0 = script_calls(stack)

    # 1. room for all: 24 new dossiers, and 6 sends of one keyed dossier
    plain = [(epart.dossier_body("puma"), None) for _ in range(24)]
    keyed = [(epart.dossier_body("puma", transmit=False), key_a) for _ in range(6)]
    reqs = plain[:12] + keyed[:3] + plain[12:] + keyed[3:]
    answers = burst(stack.port, token, reqs)
    entries = stream_entries(stack)
    assert len(entries) == 25
    check_accepted(stack, answers, entries)
    a_answers = [r for r, (_, k) in zip(answers, reqs) if k == key_a]
    assert len({r.json["id"] for r in a_answers}) == 1
    assert len({r.json["reference"] for r in a_answers}) == 1
    plain_ids = {r.json["id"] for r, (_, k) in zip(answers, reqs) if k is None}
    assert len(plain_ids) == 24 and a_answers[0].json["id"] not in plain_ids
    refs = sorted(r for r, _ in entries.values())
    assert len(set(refs)) == 25, "references come from the counter, one each"

    # 2. 15 places left: 30 new dossiers, key A again (its record answers, the
    # backlog is not consulted for a replay), key B twice with one body and
    # once with another
    body_b = epart.dossier_body("puma", transmit=False)
    other_b = epart.dossier_body("puma", transmit=True)
    plain = [(epart.dossier_body("puma"), None) for _ in range(30)]
    reqs2 = ([(keyed[0][0], key_a)] + plain[:10] + [(body_b, key_b), (body_b, key_b)] +
             plain[10:20] + [(keyed[0][0], key_a), (other_b, key_b)] + plain[20:] +
             [(keyed[0][0], key_a)])
    answers2 = burst(stack.port, token, reqs2)
    entries2 = stream_entries(stack)
    assert len(entries2) == BACKLOG, "the backlog bound is exact"
    accepted = [r for r in answers2 if r.status == 202]
    refused = [r for r in answers2 if r.status != 202]
    for r in refused:
        assert r.status in (503, 422), r
    full = [r for r in refused if r.status == 503]
    for r in full:
        assert r.header("Retry-After") == "5", r
        assert "Trop de demandes" in r.json["detail"]
    check_accepted(stack, accepted, entries2)
    new_ids = {r.json["id"] for r in accepted} - set(entries)
    assert len(new_ids) == BACKLOG - 25
    for r, (_, k) in zip(answers2, reqs2):
        if k == key_a:
            assert r.status == 202 and r.json["id"] == a_answers[0].json["id"], r
    b = [(r, body) for r, (body, k) in zip(answers2, reqs2) if k == key_b]
    b_ok = [r for r, _ in b if r.status == 202]
    if b_ok:
        # the first of key B to reach Redis found room and recorded its body:
        # the sends of that body replay it, the other body is a reused key
        first_body = [body for r, body in b if r.status == 202][0]
        assert len({r.json["id"] for r in b_ok}) == 1
        for r, body in b:
            if body == first_body:
                assert r.status == 202, r
            else:
                assert r.status == 422, r
                assert r.json["errors"][0]["code"] == "idempotency_key_reused"
    else:
        # no room for it: nothing recorded, each is told the backlog is full
        assert [r.status for r, _ in b] == [503, 503, 503], b
    plain_answers = [r for r, (_, k) in zip(answers2, reqs2) if k is None]
    assert len(plain_answers) == 30
    n_plain_ok = sum(1 for r in plain_answers if r.status == 202)
    assert n_plain_ok + (1 if b_ok else 0) == BACKLOG - 25
    assert int(stack.redis("EVAL", "return #redis.call('KEYS', 'epart:pending:*')", "0")) == BACKLOG

    # the point of it all: fewer script calls than requests
    calls = script_calls(stack) - calls0
    assert calls < len(reqs) + len(reqs2), (calls, len(reqs) + len(reqs2))


def test_noscript_sends_the_script_whole(batch_stack, token):
    """After SCRIPT FLUSH, a turn's calls are sent again with EVAL and answered."""
    stack = batch_stack
    stack.redis("SCRIPT", "FLUSH")
    stack.redis("XTRIM", "epart:ingest", "MAXLEN", "0")
    answers = burst(stack.port, token, [(epart.dossier_body("puma"), None) for _ in range(8)])
    check_accepted(stack, answers, stream_entries(stack))
    assert len(stream_entries(stack)) == 8


def test_calls_over_the_inflight_bound_are_refused_and_nothing_is_written():
    """EPART_INGEST_INFLIGHT counts the calls queued or sent and not yet answered:
    while Redis is paused they pile up, and the ones over the bound are told 503 at
    once (Retry-After: 1) with nothing queued for them; the others are answered
    202 once Redis comes back, each with its entry."""
    s = epart.Stack(workers=0, extra_env={"EPART_INGEST_INFLIGHT": "16",
                                          "EPART_HTTP_THREADS": "1"}).start()
    try:
        admin = s.client(epart.admin_token())
        r = admin.post("/v1/organisations", epart.organisation_body(kind="ccas", name="CCAS borne"))
        assert r.status == 201, r
        tok = epart.partner_token(r.json["id"])
        s.redis("CLIENT", "PAUSE", "1500", "ALL")
        answers = burst(s.port, tok, [(epart.dossier_body("puma"), None) for _ in range(40)])
        accepted = [a for a in answers if a.status == 202]
        refused = [a for a in answers if a.status != 202]
        assert refused and accepted, [a.status for a in answers]
        for a in refused:
            assert a.status == 503, a
            assert a.header("Retry-After") == "1", a
            assert "Trop de demandes en cours" in a.json["detail"]
        entries = stream_entries(s)
        assert len(entries) == len(accepted), "a refused call left an entry"
        check_accepted(s, accepted, entries)
    finally:
        reports = s.stop()
    assert not reports, "sanitizer reports: %s" % reports
