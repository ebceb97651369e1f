"""The browser suite (SPEC §12, issue 10 item 7): a real stack started as the
integration tests start it, the demonstration backlog loaded through the API
(deploy/demo_requests.py, the same loader as make run, with the test clock kept
frozen so that what the pages show is exact), then the Node.js scripts of this
folder drive Debian's Chromium with playwright-core and check every page with
axe-core. Screenshots are kept under var/screenshots/ for people to look at."""
import json
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "deploy"))
import epart  # noqa: E402
import demo_requests  # noqa: E402

SHOTS = os.path.join(epart.ROOT, "var", "screenshots")


@pytest.fixture(scope="module")
def stack():
    s = epart.Stack(workers=1).start()
    try:
        s.sh("demo")  # the demonstration organisations (deploy/demo.sql)
        url = "http://127.0.0.1:%d" % s.port
        created = demo_requests.Demo(url, epart.SECRET).load(int(os.environ.get(
            "EPART_BROWSER_T0", "1796115600")))  # 2026-12-01T09:00:00Z unless told
        s.created = created
        yield s
    finally:
        reports = s.stop()
        assert not reports, "sanitizer reports: %s" % reports


def run_node(stack, script):
    os.makedirs(SHOTS, exist_ok=True)
    env = dict(os.environ)
    env.update({
        "EPART_URL": "http://127.0.0.1:%d" % stack.port,
        "EPART_JWT_SECRET": epart.SECRET,
        "EPART_SCREENSHOTS": SHOTS,
        "EPART_CREATED": json.dumps({k: [{"id": d["id"], "reference": d["reference"], "org": d["org"],
                                          "status": d["status"]} for d in v]
                                     for k, v in stack.created.items()}),
    })
    args = []
    if os.environ.get("EPART_BROWSER_ONLY"):  # a pattern of test names, to debug one
        args.append("--test-name-pattern=" + os.environ["EPART_BROWSER_ONLY"])
    epart.run_node_suite(os.path.join(HERE, script), env, script, args)


def test_back_office(stack):
    run_node(stack, "backoffice.test.mjs")


def test_partner_space(stack):
    run_node(stack, "partner.test.mjs")
