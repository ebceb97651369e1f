"""The OpenID Connect sign-in in Chromium (SPEC §13, issue 13): a real provider
(oidc-provider, deploy/oidc-demo) and a real stack, the application driven by
oidc.test.mjs; then the provider's keys rotate and an agent signs in again."""
import json
import os
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import epart  # noqa: E402
from oidc_provider import Key, Provider  # noqa: E402

SHOTS = os.path.join(epart.ROOT, "var", "screenshots")
PASS = "0b6f3c1e-3d0a-4c1e-9a51-1d2f6c7a8b01"


@pytest.fixture(scope="module")
def env():
    http_port = epart.free_port()
    url = "http://127.0.0.1:%d" % http_port
    provider = Provider(tempfile.mkdtemp(prefix="epart-oidc-browser-"),
                        url + "/app/callback").start()
    s = epart.Stack(workers=1, extra_env={
        "EPART_HTTP_PORT": str(http_port), "EPART_OIDC_ISSUER": provider.issuer,
        "EPART_OIDC_CLIENT_ID": "epart", "EPART_PUBLIC_URL": url,
        "EPART_OIDC_JWKS_REFRESH_MIN": "1"})
    try:
        s.start()
        s.sh("demo")  # the demonstration organisations (deploy/demo.sql)
        admin = s.client(epart.admin_token())
        for body in ({"email": "instructeur@cpam-171.fr", "role": "instructor", "caisse": "171"},
                     {"email": "agent@pass-larochelle.fr", "role": "partner", "org": PASS}):
            r = admin.post("/v1/agents", body)
            assert r.status == 201, r
        yield {"stack": s, "provider": provider, "url": url}
    finally:
        provider.stop()
        reports = s.stop()
        assert not reports, "sanitizer reports: %s" % reports


def run_node(env, phase):
    os.makedirs(SHOTS, exist_ok=True)
    e = dict(os.environ)
    e.update({"EPART_URL": env["url"], "EPART_JWT_SECRET": epart.SECRET,
              "EPART_SCREENSHOTS": SHOTS, "EPART_OIDC_ISSUER": env["provider"].issuer,
              "EPART_OIDC_PROVIDER_KEY": json.dumps(env["provider"].signing_key.private),
              "PHASE": phase})
    epart.run_node_suite(os.path.join(HERE, "oidc.test.mjs"), e, "oidc.test.mjs (%s)" % phase)


def test_sign_in_with_the_provider(env):
    run_node(env, "main")


def test_sign_in_after_a_key_rotation(env):
    import time
    env["provider"].rotate([Key("RSA"), Key("EC")])
    time.sleep(1.5)  # EPART_OIDC_JWKS_REFRESH_MIN=1: the unknown kid may refetch the keys
    run_node(env, "after-rotation")
