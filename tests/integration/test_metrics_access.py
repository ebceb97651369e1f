"""GET /metrics answers loopback clients, or callers presenting
EPART_METRICS_TOKEN as "Authorization: Bearer <token>" (SPEC §11, issue 9).
The client address is the TCP peer's: X-Forwarded-For changes nothing."""
import http.client
import socket

import pytest

import epart

TOKEN = "metrics-token-for-tests-0123456789"


def local_non_loopback_address():
    """An address of this machine that is not loopback (the source address of
    a connection to it is that address too), or None."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))  # no packet is sent for a UDP connect
        addr = s.getsockname()[0]
    except OSError:
        return None
    finally:
        s.close()
    return None if addr.startswith("127.") else addr


ADDR = local_non_loopback_address()
needs_addr = pytest.mark.skipif(ADDR is None, reason="no non-loopback address on this machine")


def get_metrics(port, host="127.0.0.1", headers=None):
    c = http.client.HTTPConnection(host, port, timeout=10)
    c.request("GET", "/metrics", headers=headers or {})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body, dict(r.getheaders())


@pytest.fixture(scope="module")
def token_stack():
    s = epart.Stack(workers=0, extra_env={"EPART_METRICS_TOKEN": TOKEN}).start()
    yield s
    assert not s.stop()


def test_loopback_needs_no_token(stack, token_stack):
    for s in (stack, token_stack):
        status, body, _ = get_metrics(s.port)
        assert status == 200 and b"epart_" in body


@needs_addr
def test_without_a_configured_token_only_loopback(stack):
    status, body, _ = get_metrics(stack.port, ADDR)
    assert status == 403 and b"epart_" not in body
    status, body, _ = get_metrics(stack.port, ADDR, {"X-Forwarded-For": "127.0.0.1",
                                                     "X-Real-IP": "127.0.0.1",
                                                     "Forwarded": "for=127.0.0.1",
                                                     "Authorization": "Bearer anything"})
    assert status == 403 and b"epart_" not in body


@needs_addr
def test_beyond_loopback_the_token_is_required(token_stack):
    port = token_stack.port
    status, body, headers = get_metrics(port, ADDR)
    assert status == 401 and b"epart_" not in body
    assert headers.get("WWW-Authenticate", "").startswith("Bearer")
    for bad in ("Bearer wrong", "Bearer " + TOKEN[:-1], "Bearer " + TOKEN + "x",
                "Basic " + TOKEN, TOKEN, "Bearer", "Bearer " + TOKEN + " extra"):
        status, body, _ = get_metrics(port, ADDR, {"Authorization": bad})
        assert status == 401 and b"epart_" not in body, bad
    status, body, _ = get_metrics(port, ADDR, {"X-Forwarded-For": "127.0.0.1"})
    assert status == 401, "X-Forwarded-For must not be trusted"
    status, body, _ = get_metrics(port, ADDR, {"Authorization": "Bearer " + TOKEN})
    assert status == 200 and b"epart_" in body
    # the token is a secret: never in the logs
    for log in token_stack.logs:
        assert TOKEN not in open(log, errors="replace").read()
