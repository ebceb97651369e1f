"""Webhooks end to end (SPEC §6): management, scope, signed delivery verified the
way the Standard Webhooks specification says, retries with backoff recorded in
/deliveries, health states, and the SSRF rules at creation and at connection.

Receivers are real HTTP servers on 127.0.0.1 in test threads. The session stack
runs with EPART_WEBHOOK_ALLOW_PRIVATE=1 so it may call them; the SSRF tests
start a stack of their own without it, and the retry tests one whose schedule
is shrunk to milliseconds (EPART_WEBHOOK_BACKOFF_BASE_MS).
"""
import base64
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import epart
from epart import dossier_body, wait_for

EVENTS = ["dossier.status_changed", "deadline.warning", "deadline.breached", "message.created"]
SECRET_RE = re.compile(r"^whsec_[A-Za-z0-9+/]{43}=$")


# ---- a receiver and the Standard Webhooks verification -------------------------

class Receiver:
    """An HTTP server recording every POST; answers statuses in turn, then default."""

    def __init__(self, statuses=None, default=200, delay=0):
        self.requests = []
        self.delay = delay
        self.gate = threading.Event()
        self.statuses = list(statuses or [])
        self.default = default
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                if outer.delay:
                    outer.gate.wait(outer.delay)
                with outer.lock:
                    outer.requests.append(
                        ({k.lower(): v for k, v in self.headers.items()}, body, time.time()))
                    status = outer.statuses.pop(0) if outer.statuses else outer.default
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d/hook" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def received(self):
        with self.lock:
            return list(self.requests)

    def close(self):
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()


def verify_standard_webhook(secret, headers, body, tolerance=300, now=None):
    """Verify a delivery exactly as standardwebhooks.com specifies it: the signed
    content is "<webhook-id>.<webhook-timestamp>.<body>", the key is the base64
    decoding of the secret after "whsec_", the header is a space-separated list of
    "v1,<base64 HMAC-SHA256>" signatures compared in constant time, and a
    timestamp further than the tolerance from now is refused. Returns the payload."""
    msg_id = headers["webhook-id"]
    ts = headers["webhook-timestamp"]
    if not ts.isdigit():
        raise ValueError("invalid timestamp")
    now = time.time() if now is None else now
    if abs(now - int(ts)) > tolerance:
        raise ValueError("timestamp outside the tolerance")
    if not secret.startswith("whsec_"):
        raise ValueError("not a whsec_ secret")
    key = base64.b64decode(secret[len("whsec_"):])
    signed = ("%s.%s." % (msg_id, ts)).encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for part in headers["webhook-signature"].split(" "):
        version, _, sig = part.partition(",")
        if version == "v1" and hmac.compare_digest(sig, expected):
            return json.loads(body)
    raise ValueError("no matching signature")


def test_verifier_matches_the_specification_vector():
    # The reference vector of the Standard Webhooks libraries, so that the
    # verifier below is known to be the specification's, not ours.
    headers = {"webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330",
               "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}
    body = b'{"test": 2432232314}'
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    assert verify_standard_webhook(secret, headers, body, now=1614265330) == {"test": 2432232314}
    with pytest.raises(ValueError):
        verify_standard_webhook(secret, headers, body + b" ", now=1614265330)
    with pytest.raises(ValueError):
        verify_standard_webhook(secret, headers, body, now=1614265330 + 301)


# ---- helpers -----------------------------------------------------------------------

def create(client, url, events=None, **kw):
    body = {"url": url, "events": events or ["dossier.status_changed"]}
    body.update(kw)
    return client.post("/v1/webhooks", body)


def deliveries(client, wid, **q):
    qs = "&".join("%s=%s" % kv for kv in q.items())
    r = client.get("/v1/webhooks/%s/deliveries%s" % (wid, "?" + qs if qs else ""))
    assert r.status == 200, r
    return r.json["items"]


def emit(stack, org_id, caisse="171", type_="message.created", data=None):
    """Queue an event as the product does (epart_emit of sql/functions/10_webhooks.sql)."""
    payload = json.dumps(data or {"n": uuid.uuid4().hex}).replace("'", "''")
    stack.psql("SELECT epart_emit('%s', '%s', '%s', '%s'::jsonb)" % (type_, org_id, caisse,
                                                                   payload))


@pytest.fixture
def own_org(org_factory):
    """A fresh organisation, so that no other test's events reach our receivers."""
    return org_factory(kind="ccas", name="CCAS webhooks")


@pytest.fixture
def own_partner(stack, own_org):
    return stack.client(epart.partner_token(own_org["id"]))


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


# ---- creation, reads, secret -----------------------------------------------------

def test_create_shows_the_secret_once(stack, own_partner, own_org, receiver):
    r = create(own_partner, receiver.url, EVENTS, description="Logiciel métier")
    assert r.status == 201, r
    w = r.json
    assert r.header("Location") == "/v1/webhooks/" + w["id"]
    assert r.header("ETag") == '"1"'
    assert SECRET_RE.match(w["secret"]), w["secret"]
    assert len(base64.b64decode(w["secret"][6:])) == 32
    assert w["url"] == receiver.url and w["events"] == EVENTS
    assert w["state"] == "active" and w["version"] == 1
    assert w["org"] == own_org["id"] and w["caisse"] is None
    assert w["description"] == "Logiciel métier"
    assert w["consecutive_failures"] == 0 and w["last_delivery_at"] is None
    for path in ["/v1/webhooks/" + w["id"], "/v1/webhooks", "/v1/webhooks?limit=500",
                 "/v1/webhooks/%s/deliveries" % w["id"]]:
        g = own_partner.get(path)
        assert g.status == 200, (path, g)
        assert "secret" not in g.body.decode()
        assert w["secret"][6:] not in g.body.decode()
    g = own_partner.get("/v1/webhooks/" + w["id"]).json
    assert "secret" not in g
    assert g["id"] == w["id"] and g["pending_deliveries"] == 0
    # a second creation gets another secret
    r2 = create(own_partner, receiver.url)
    assert r2.status == 201 and r2.json["secret"] != w["secret"]


def test_idempotency_key_replays_the_creation(stack, own_partner, receiver):
    key = "wh-" + uuid.uuid4().hex
    body = {"url": receiver.url, "events": ["message.created"]}
    r1 = own_partner.post("/v1/webhooks", body, headers={"Idempotency-Key": key})
    r2 = own_partner.post("/v1/webhooks", body, headers={"Idempotency-Key": key})
    assert r1.status == r2.status == 201, (r1, r2)
    assert r1.json["id"] == r2.json["id"]
    # the secret is shown once (SPEC §2): the replay says it is withheld
    assert r1.json["secret"].startswith("whsec_")
    assert "secret" not in r2.json and r2.json["replayed"] is True and r2.json["note"]
    assert r1.json["secret"][6:] not in r2.body.decode()
    assert r2.json["url"] == r1.json["url"] and r2.json["events"] == r1.json["events"]
    assert r2.header("Location") == r1.header("Location")
    assert stack.psql("SELECT count(*) FROM webhooks WHERE id = '%s'" % r1.json["id"]) == "1"
    # no record kept in Redis holds the secret
    keys = stack.redis("--scan", "--pattern", "epart:idem*").split()
    assert keys
    for k in keys:
        if stack.redis("TYPE", k).strip() == "string":
            assert r1.json["secret"][6:] not in stack.redis("GET", k)
    r3 = own_partner.post("/v1/webhooks", dict(body, events=["deadline.warning"]),
                          headers={"Idempotency-Key": key})
    assert r3.status == 422 and ("Idempotency-Key", "idempotency_key_reused") in r3.error_codes()


RECEIVER = object()  # stands for the receiver's URL in the cases below

# (case, body, the errors expected with a 422; None: only the status)
HOSTILE_BODIES = [
    ("events a string", {"url": RECEIVER, "events": "dossier.status_changed"},
     {("events", "invalid_type")}),
    ("events an object", {"url": RECEIVER, "events": {"a": 1}}, {("events", "invalid_type")}),
    ("events unknown", {"url": RECEIVER, "events": ["dossier.created"]},
     {("events[0]", "invalid_enum")}),
    ("events not strings", {"url": RECEIVER, "events": [42]}, {("events[0]", "invalid_type")}),
    ("events empty", {"url": RECEIVER, "events": []}, {("events", "required")}),
    ("events missing", {"url": RECEIVER}, {("events", "required")}),
    ("events twice", {"url": RECEIVER, "events": ["message.created", "message.created"]},
     {("events[1]", "duplicate")}),
    ("events too many", {"url": RECEIVER, "events": ["x"] * 100}, None),
    ("url missing", {"events": EVENTS}, {("url", "required")}),
    ("url a number", {"url": 12, "events": EVENTS}, {("url", "invalid_type")}),
    ("url too long", {"url": "http://127.0.0.1/" + "a" * 2048, "events": EVENTS},
     {("url", "too_long")}),
    ("url not a url", {"url": "not a url", "events": EVENTS}, {("url", "invalid_url")}),
    ("url bracket unclosed", {"url": "http://[::1/", "events": EVENTS}, {("url", "invalid_url")}),
    ("url with a header", {"url": "http://127.0.0.1/\r\nX: y", "events": EVENTS},
     {("url", "invalid_url")}),
    ("secret given", {"url": RECEIVER, "events": EVENTS, "secret": "whsec_AAAA"},
     {("secret", "read_only")}),
    ("unknown field", {"url": RECEIVER, "events": EVENTS, "colour": "blue"},
     {("colour", "unknown_field")}),
    ("description too long", {"url": RECEIVER, "events": EVENTS, "description": "x" * 501},
     {("description", "too_long")}),
    ("another org", {"url": RECEIVER, "events": EVENTS, "org": str(uuid.uuid4())},
     {("org", "out_of_scope")}),
    ("a caisse", {"url": RECEIVER, "events": EVENTS, "caisse": "171"},
     {("caisse", "out_of_scope")}),
    # every invalid field is listed at once
    ("three fields wrong", {"url": "ftp://x", "events": ["nope"], "extra": 1},
     {("url", "unsupported_scheme"), ("events[0]", "invalid_enum"), ("extra", "unknown_field")}),
]


@pytest.mark.parametrize("body,expected", [c[1:] for c in HOSTILE_BODIES],
                         ids=[c[0] for c in HOSTILE_BODIES])
def test_hostile_body(own_partner, receiver, body, expected):
    body = {k: receiver.url if v is RECEIVER else v for k, v in body.items()}
    r = own_partner.post("/v1/webhooks", body)
    assert r.status == 422, r
    if expected is not None:
        assert r.error_codes() == expected, r


@pytest.mark.parametrize("raw,content_type,status", [
    (b"{junk", "application/json", 400),
    (b'["url"]', "application/json", 400),
    (b"", "application/json", 400),
    (b"[" * 50 + b"]" * 50, "application/json", 400),
    (b'{"url":"a","url":"b"}', "application/json", 400),
    (b"{}", "text/plain", 415),
    (b"{}", None, 415),
], ids=["junk", "array", "empty", "deep", "duplicate key", "text/plain", "no type"])
def test_malformed_body(own_partner, raw, content_type, status):
    assert own_partner.post("/v1/webhooks", raw=raw, content_type=content_type).status == status


def test_ids_and_list_parameters(stack, own_partner):
    assert own_partner.get("/v1/webhooks/not-a-uuid").status == 404
    assert own_partner.get("/v1/webhooks/%s" % uuid.uuid4()).status == 404
    assert own_partner.get("/v1/webhooks/%s/deliveries" % uuid.uuid4()).status == 404
    assert own_partner.get("/v1/webhooks?limit=0").status == 422
    assert own_partner.get("/v1/webhooks?cursor=zzz").status == 422
    assert own_partner.get("/v1/webhooks?state=dead").status == 422
    assert own_partner.delete("/v1/webhooks/%s" % uuid.uuid4()).status == 404
    assert stack.client().get("/v1/webhooks").status == 401


@pytest.fixture(scope="module")
def scope_world(stack, org_factory):
    """Two organisations of two caisses, their partners and instructors, a
    partner's webhook wa and a caisse's webhook wc (the scope tests below only
    read them, but the last, which deletes wc)."""
    rcv = Receiver()
    w = {"url": rcv.url, "org_a": org_factory(kind="ccas", caisse="171"),
         "org_b": org_factory(kind="ccas", caisse="751")}
    w["pa"] = stack.client(epart.partner_token(w["org_a"]["id"]))
    w["pb"] = stack.client(epart.partner_token(w["org_b"]["id"]))
    w["i171"] = stack.client(epart.instructor_token("171"))
    w["i751"] = stack.client(epart.instructor_token("751"))
    w["wa"] = create(w["pa"], rcv.url).json
    w["wc"] = create(w["i171"], rcv.url, ["deadline.breached"]).json
    assert w["wc"]["caisse"] == "171" and w["wc"]["org"] is None
    yield w
    rcv.close()


def test_scope_of_another_organisation(scope_world):
    pb, wa, wc = scope_world["pb"], scope_world["wa"], scope_world["wc"]
    # another organisation's partner: 404 everywhere, absent from its list
    for path in ["/v1/webhooks/" + wa["id"], "/v1/webhooks/%s/deliveries" % wa["id"],
                 "/v1/webhooks/" + wc["id"]]:
        assert pb.get(path).status == 404, path
    assert pb.delete("/v1/webhooks/" + wa["id"]).status == 404
    assert pb.patch("/v1/webhooks/" + wa["id"], {"description": "x"}).status == 404
    assert wa["id"] not in [w["id"] for w in pb.get("/v1/webhooks?limit=500").json["items"]]


def test_scope_of_the_partner_itself(scope_world):
    pa, wa, wc = scope_world["pa"], scope_world["wa"], scope_world["wc"]
    # the partner itself sees its own, not its caisse's
    assert pa.get("/v1/webhooks/" + wa["id"]).status == 200
    assert pa.get("/v1/webhooks/" + wc["id"]).status == 404
    ids_a = [w["id"] for w in pa.get("/v1/webhooks?limit=500").json["items"]]
    assert wa["id"] in ids_a and wc["id"] not in ids_a


def test_scope_of_the_instructor(scope_world):
    i171, i751 = scope_world["i171"], scope_world["i751"]
    wa, wc = scope_world["wa"], scope_world["wc"]
    # the instructor sees its caisse's webhooks, not those of partners nor of another caisse
    assert i171.get("/v1/webhooks/" + wc["id"]).status == 200
    assert i171.get("/v1/webhooks/" + wa["id"]).status == 404
    items_171 = i171.get("/v1/webhooks?limit=500").json["items"]
    ids_171 = [w["id"] for w in items_171]
    assert wc["id"] in ids_171 and wa["id"] not in ids_171
    assert all(w["caisse"] == "171" for w in items_171)
    assert i751.get("/v1/webhooks/" + wc["id"]).status == 404
    assert i751.delete("/v1/webhooks/" + wc["id"]).status == 404
    assert i171.post("/v1/webhooks", {"url": scope_world["url"], "events": EVENTS,
                                      "caisse": "751"}).error_codes() == \
        {("caisse", "out_of_scope")}


def test_scope_of_the_administrator(admin, scope_world):
    url, org_a, org_b = scope_world["url"], scope_world["org_a"], scope_world["org_b"]
    wa, wc = scope_world["wa"], scope_world["wc"]
    # the administrator sees all, filters, and names the owner
    assert admin.get("/v1/webhooks/" + wa["id"]).status == 200
    assert admin.get("/v1/webhooks/" + wc["id"]).status == 200
    only_a = admin.get("/v1/webhooks?org=%s" % org_a["id"]).json["items"]
    assert [w["id"] for w in only_a] == [wa["id"]]
    r = admin.post("/v1/webhooks", {"url": url, "events": EVENTS})
    assert r.status == 422 and ("org", "required") in r.error_codes()
    r = admin.post("/v1/webhooks", {"url": url, "events": EVENTS,
                                    "org": org_a["id"], "caisse": "171"})
    assert r.status == 422 and ("caisse", "exclusive") in r.error_codes()
    r = admin.post("/v1/webhooks", {"url": url, "events": EVENTS, "org": str(uuid.uuid4())})
    assert r.status == 422 and ("org", "unknown_organisation") in r.error_codes()
    r = admin.post("/v1/webhooks", {"url": url, "events": EVENTS, "caisse": "17"})
    assert r.status == 422 and ("caisse", "invalid_format") in r.error_codes()
    r = admin.post("/v1/webhooks", {"url": url, "events": EVENTS, "org": org_b["id"]})
    assert r.status == 201 and r.json["org"] == org_b["id"]
    assert scope_world["pb"].get("/v1/webhooks/" + r.json["id"]).status == 200


def test_scope_the_instructor_deletes_its_caisse_webhook(scope_world):
    i171, wc = scope_world["i171"], scope_world["wc"]
    assert i171.delete("/v1/webhooks/" + wc["id"]).status == 204
    assert i171.get("/v1/webhooks/" + wc["id"]).status == 404


def test_list_pagination(stack, org_factory, receiver):
    org = org_factory(kind="ccas")
    p = stack.client(epart.partner_token(org["id"]))
    made = [create(p, receiver.url).json["id"] for _ in range(5)]
    seen, cursor = [], None
    while True:
        r = p.get("/v1/webhooks?limit=2" + ("&cursor=" + cursor if cursor else ""))
        assert r.status == 200, r
        assert len(r.json["items"]) <= 2
        seen += [w["id"] for w in r.json["items"]]
        cursor = r.json["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))


def test_patch_and_delete(stack, own_partner, own_org, receiver):
    w = create(own_partner, receiver.url).json
    url = "/v1/webhooks/" + w["id"]
    r = own_partner.patch(url, {"events": ["message.created", "deadline.warning"],
                                "description": "nouveau"}, headers={"If-Match": '"1"'})
    assert r.status == 200, r
    assert r.json["events"] == ["message.created", "deadline.warning"]
    assert r.json["description"] == "nouveau" and r.json["version"] == 2
    assert r.json["url"] == receiver.url and "secret" not in r.json
    assert own_partner.patch(url, {"description": "x"}, headers={"If-Match": '"1"'}).status == 412
    assert own_partner.patch(url, {"state": "failing"}).error_codes() == {("state", "invalid_enum")}
    assert own_partner.patch(url, {"events": []}).status == 422
    assert own_partner.patch(url, {"url": None}).error_codes() == {("url", "required")}
    assert own_partner.patch(url, {"secret": "x"}).error_codes() == {("secret", "read_only")}
    assert own_partner.patch(url, {"description": None}).json["description"] is None
    r = own_partner.patch(url, {"state": "disabled"})
    assert r.status == 200 and r.json["state"] == "disabled"
    r = own_partner.patch(url, {"state": "active"}, content_type="application/merge-patch+json")
    assert r.status == 200 and r.json["state"] == "active"

    # DELETE cancels what was waiting: a receiver that refuses connections keeps a
    # job pending (retried after 30 s on the session stack's schedule)
    dead = Receiver()
    dead_url = dead.url
    dead.close()
    w2 = create(own_partner, dead_url, ["message.created"]).json
    emit(stack, own_org["id"])
    assert wait_for(lambda: deliveries(own_partner, w2["id"]), timeout=20)
    d = deliveries(own_partner, w2["id"])[0]
    assert d["status_code"] is None and d["error"] and d["next_attempt_at"] is not None
    assert d["success"] is False and d["attempt"] == 1
    assert stack.psql("SELECT state FROM webhook_jobs WHERE webhook_id = '%s'" % w2["id"]) \
        == "pending"
    assert own_partner.delete("/v1/webhooks/" + w2["id"], headers={"If-Match": '"7"'}).status \
        == 412
    assert own_partner.delete("/v1/webhooks/" + w2["id"]).status == 204
    assert stack.psql("SELECT state FROM webhook_jobs WHERE webhook_id = '%s'" % w2["id"]) \
        == "cancelled"
    assert own_partner.get("/v1/webhooks/" + w2["id"]).status == 404
    assert own_partner.delete("/v1/webhooks/" + w2["id"]).status == 404
    assert w2["id"] not in [x["id"] for x in own_partner.get("/v1/webhooks").json["items"]]
    # a deleted webhook gets no new event
    emit(stack, own_org["id"])
    assert stack.psql("SELECT count(*) FROM webhook_jobs WHERE webhook_id = '%s'"
                      % w2["id"]) == "1"


# ---- signed delivery of a dossier event ----------------------------------------------

def test_dossier_submission_delivers_a_signed_event(stack, own_partner, own_org, receiver):
    w = create(own_partner, receiver.url, ["dossier.status_changed"]).json
    secret = w["secret"]
    r = own_partner.post("/v1/dossiers", dossier_body("puma"))
    assert r.status == 202, r
    did = r.json["id"]

    def mine():
        return [(h, b) for h, b, _ in receiver.received() if json.loads(b)["data"].get("id") == did]

    got = wait_for(mine, timeout=20)
    assert got, "no delivery received"
    headers, body = got[0]
    payload = verify_standard_webhook(secret, headers, body)
    assert headers["content-type"] == "application/json"
    assert uuid.UUID(headers["webhook-id"])
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60  # the real clock
    assert set(payload) == {"type", "timestamp", "data"}
    assert payload["type"] == "dossier.status_changed"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$",
                    payload["timestamp"])
    assert payload["data"]["id"] == did and payload["data"]["to"] == "recu"
    assert payload["data"]["reference"] == r.json["reference"]
    # a wrong secret does not verify
    with pytest.raises(ValueError):
        verify_standard_webhook("whsec_" + base64.b64encode(b"x" * 32).decode(), headers, body)

    # the try is recorded and the webhook shows its health
    ds = wait_for(lambda: [d for d in deliveries(own_partner, w["id"])
                           if d["event_id"] == headers["webhook-id"]], timeout=10)
    assert ds and ds[0]["status_code"] == 200 and ds[0]["success"] is True
    assert ds[0]["attempt"] == 1 and ds[0]["error"] is None and ds[0]["next_attempt_at"] is None
    assert ds[0]["event_type"] == "dossier.status_changed"
    assert isinstance(ds[0]["latency_ms"], int)
    g = own_partner.get("/v1/webhooks/" + w["id"]).json
    assert g["state"] == "active" and g["last_status_code"] == 200
    assert g["last_delivery_at"] and g["last_success_at"] and g["consecutive_failures"] == 0
    assert stack.psql("SELECT state FROM webhook_jobs WHERE webhook_id = '%s'" % w["id"]) \
        == "delivered"

    # neither the secret nor the URL is ever logged
    key = secret[len("whsec_"):]
    for log in stack.logs:
        text = open(log, errors="replace").read()
        assert key not in text, log
        assert receiver.url not in text, log


def test_event_types_are_filtered(stack, own_partner, own_org, receiver):
    create(own_partner, receiver.url, ["deadline.breached"])
    emit(stack, own_org["id"], type_="message.created", data={"only": "messages"})
    emit(stack, own_org["id"], type_="deadline.breached", data={"only": "breaches"})
    got = wait_for(receiver.received, timeout=20)
    time.sleep(0.5)
    types = [json.loads(b)["type"] for _, b, _ in receiver.received()]
    assert got and types == ["deadline.breached"]


# ---- retries, health and exhaustion (a stack with a millisecond schedule) ----------

FAST_BASE_MS = 5


@pytest.fixture(scope="module")
def fast():
    s = epart.Stack(workers=1, extra_env={"EPART_WEBHOOK_BACKOFF_BASE_MS": str(FAST_BASE_MS),
                                          "EPART_WEBHOOK_ATTEMPTS": "8",
                                          "EPART_WEBHOOK_TIMEOUT": "2"})
    s.start()
    yield s
    reports = s.stop()
    assert not reports, "sanitizer reports: %s" % reports


@pytest.fixture(scope="module")
def fast_org(fast):
    r = fast.client(epart.admin_token()).post("/v1/organisations", epart.organisation_body())
    assert r.status == 201, r
    return r.json


def test_failing_receiver_is_retried_until_it_recovers(fast, fast_org):
    rx = Receiver(statuses=[500, 500, 503], default=204)
    try:
        p = fast.client(epart.partner_token(fast_org["id"]))
        w = create(p, rx.url, ["message.created"]).json
        emit(fast, fast_org["id"])
        assert wait_for(lambda: len(deliveries(p, w["id"])) >= 4, timeout=30)
        ds = deliveries(p, w["id"])
        assert [d["attempt"] for d in ds] == [4, 3, 2, 1]          # newest first
        assert [d["status_code"] for d in ds] == [204, 503, 500, 500]
        assert [d["success"] for d in ds] == [True, False, False, False]
        assert ds[0]["next_attempt_at"] is None and ds[0]["error"] is None
        assert all(d["next_attempt_at"] and "HTTP" in d["error"] for d in ds[1:])
        assert len({d["event_id"] for d in ds}) == 1
        # every try carried the same webhook-id and a valid signature
        reqs = rx.received()
        assert len(reqs) == 4
        assert len({h["webhook-id"] for h, _, _ in reqs}) == 1
        for h, b, _ in reqs:
            verify_standard_webhook(w["secret"], h, b)
        # back to health
        g = p.get("/v1/webhooks/" + w["id"]).json
        assert g["state"] == "active" and g["consecutive_failures"] == 0
        assert g["last_status_code"] == 204 and g["pending_deliveries"] == 0
        # deliveries are paginated newest first
        page1 = p.get("/v1/webhooks/%s/deliveries?limit=3" % w["id"]).json
        assert [d["attempt"] for d in page1["items"]] == [4, 3, 2] and page1["next_cursor"]
        page2 = p.get("/v1/webhooks/%s/deliveries?limit=3&cursor=%s"
                      % (w["id"], page1["next_cursor"])).json
        assert [d["attempt"] for d in page2["items"]] == [1] and page2["next_cursor"] is None
        assert p.get("/v1/webhooks/%s/deliveries?event_id=%s"
                     % (w["id"], ds[0]["event_id"])).json["items"]
        assert p.get("/v1/webhooks/%s/deliveries?event_id=%s"
                     % (w["id"], uuid.uuid4())).json["items"] == []
        assert p.delete("/v1/webhooks/" + w["id"]).status == 204
    finally:
        rx.close()


def test_exhausted_deliveries_fail_and_disable_the_webhook(fast, fast_org):
    rx = Receiver(default=500)
    try:
        p = fast.client(epart.partner_token(fast_org["id"]))
        w = create(p, rx.url, ["message.created"]).json
        emit(fast, fast_org["id"])
        # three failures in a row: "failing", visible to the partner
        seen_failing = wait_for(lambda: p.get("/v1/webhooks/" + w["id"]).json["state"]
                                == "failing", timeout=30, interval=0.02)
        assert seen_failing
        # every try used: the job fails and the webhook is disabled
        assert wait_for(lambda: p.get("/v1/webhooks/" + w["id"]).json["state"] == "disabled",
                        timeout=60)
        ds = deliveries(p, w["id"])
        assert [d["attempt"] for d in ds] == list(range(8, 0, -1))
        assert all(d["status_code"] == 500 for d in ds)
        assert ds[0]["next_attempt_at"] is None                 # no try left
        g = p.get("/v1/webhooks/" + w["id"]).json
        assert g["consecutive_failures"] == 8 and g["last_status_code"] == 500
        assert "500" in g["last_error"]
        assert fast.psql("SELECT state FROM webhook_jobs WHERE webhook_id = '%s'"
                         % w["id"]) == "failed"
        # the waits grow with the schedule (1, 4, 20, 60, 240, 480, 720 bases)
        ats = [float(x) for x in fast.psql(
            "SELECT extract(epoch FROM at) FROM webhook_deliveries WHERE webhook_id = '%s' "
            "ORDER BY attempt" % w["id"]).split()]
        steps = [1, 4, 20, 60, 240, 480, 720]
        for i, step in enumerate(steps):
            assert ats[i + 1] - ats[i] >= step * FAST_BASE_MS / 1000.0 - 0.002, (i, ats)
        # a disabled webhook gets nothing more: its new jobs are cancelled untried
        n = len(rx.received())
        emit(fast, fast_org["id"])
        assert wait_for(lambda: fast.psql(
            "SELECT count(*) FROM webhook_jobs WHERE webhook_id = '%s' AND state = 'cancelled'"
            % w["id"]) == "1", timeout=10)
        assert len(rx.received()) == n
        # its owner turns it back on
        r = p.patch("/v1/webhooks/" + w["id"], {"state": "active"})
        assert r.status == 200 and r.json["state"] == "active"
        assert r.json["consecutive_failures"] == 0
        assert p.delete("/v1/webhooks/" + w["id"]).status == 204
    finally:
        rx.close()


def test_slow_receiver_times_out(fast, fast_org):
    rx = Receiver(delay=5)
    try:
        p = fast.client(epart.partner_token(fast_org["id"]))
        w = create(p, rx.url, ["deadline.warning"]).json
        emit(fast, fast_org["id"], type_="deadline.warning")
        t0 = time.time()
        assert wait_for(lambda: deliveries(p, w["id"]), timeout=20)
        d = deliveries(p, w["id"])[-1]
        assert d["attempt"] == 1 and d["status_code"] is None
        assert "délai" in d["error"] and d["latency_ms"] >= 1900
        assert time.time() - t0 < 10  # bounded by EPART_WEBHOOK_TIMEOUT=2
        # the API stayed responsive meanwhile
        assert p.get("/v1/webhooks/" + w["id"]).status == 200
        assert p.delete("/v1/webhooks/" + w["id"]).status == 204
    finally:
        rx.close()


# ---- server-side request forgery (a stack without EPART_WEBHOOK_ALLOW_PRIVATE) -----

@pytest.fixture(scope="module")
def ssrf():
    s = epart.Stack(workers=1, extra_env={"EPART_WEBHOOK_ALLOW_PRIVATE": "0"})
    s.start()
    yield s
    reports = s.stop()
    assert not reports, "sanitizer reports: %s" % reports


@pytest.fixture(scope="module")
def ssrf_org(ssrf):
    r = ssrf.client(epart.admin_token()).post("/v1/organisations", epart.organisation_body())
    assert r.status == 201, r
    return r.json


def test_private_destinations_are_refused(ssrf, ssrf_org, receiver):
    p = ssrf.client(epart.partner_token(ssrf_org["id"]))
    cases = {
        receiver.url: "forbidden_destination",
        "http://127.0.0.1:%d/" % receiver.port: "forbidden_destination",
        "http://10.0.0.1/": "forbidden_destination",
        "http://172.16.0.1/": "forbidden_destination",
        "http://192.168.1.1/": "forbidden_destination",
        "http://100.64.0.1/": "forbidden_destination",
        "http://169.254.169.254/": "forbidden_destination",
        "http://169.254.169.254/latest/meta-data/": "forbidden_destination",
        "http://0.0.0.0/": "forbidden_destination",
        "http://[::1]/": "forbidden_destination",
        "http://[::ffff:127.0.0.1]/": "forbidden_destination",
        "http://[fe80::1]/": "forbidden_destination",
        "http://[fd00::1]/": "forbidden_destination",
        "http://localhost/": "forbidden_destination",
        "http://LOCALHOST:8080/": "forbidden_destination",
        "http://2130706433/": "forbidden_destination",
        "http://0x7f.1/": "forbidden_destination",
        "http://224.0.0.1/": "forbidden_destination",
        "http://255.255.255.255/": "forbidden_destination",
        "ftp://example.org/": "unsupported_scheme",
        "file:///etc/passwd": "unsupported_scheme",
        "gopher://127.0.0.1:6379/_INFO": "unsupported_scheme",
        "http://user:pw@example.org/": "userinfo_forbidden",
        "http://example.org@127.0.0.1/": "userinfo_forbidden",
        "http://nonexistent.invalid/": "unresolvable_host",
    }
    for url, code in cases.items():
        r = create(p, url, EVENTS)
        assert r.status == 422, (url, r)
        assert ("url", code) in r.error_codes(), (url, r)
    assert p.get("/v1/webhooks").json["items"] == []
    assert ssrf.psql("SELECT count(*) FROM webhooks") == "0"


def test_connection_time_check_defeats_rebinding(ssrf, ssrf_org, receiver):
    # A webhook whose name resolved to a public address at creation and to a
    # private one now: stored directly, as the API would never accept it.
    wid = str(uuid.uuid4())
    secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
    ssrf.psql("INSERT INTO webhooks (id, org_id, owner_sub, url, events, secret, created_at) "
              "VALUES ('%s', '%s', 'test', '%s', ARRAY['message.created'], '%s', now())"
              % (wid, ssrf_org["id"], receiver.url, secret))
    emit(ssrf, ssrf_org["id"])
    p = ssrf.client(epart.partner_token(ssrf_org["id"]))
    assert wait_for(lambda: deliveries(p, wid), timeout=20)
    d = deliveries(p, wid)[0]
    assert d["status_code"] is None and "destination interdite" in d["error"]
    assert receiver.received() == []
