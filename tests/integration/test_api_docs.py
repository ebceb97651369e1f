"""/v1/docs over real HTTP: the OpenAPI document rendered for people, served
from our origin under a strict CSP, and nothing else reachable through it."""
import re


def test_docs_page_and_its_files(stack):
    c = stack.client()
    r = c.get("/v1/docs")
    assert r.status == 200, r
    assert r.header("Content-Type").startswith("text/html")
    csp = r.header("Content-Security-Policy")
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.header("X-Content-Type-Options") == "nosniff"
    page = r.body.decode()
    assert '<html lang="fr">' in page
    # no inline script or style: every script has a src, no style attribute or element
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "<style" not in page and " style=" not in page
    # every file the page names is served, from our origin, with its type
    assets = re.findall(r'(?:src|href)="(/v1/docs/[^"]+)"', page)
    assert len(assets) >= 4
    for a in assets:
        f = c.get(a)
        assert f.status == 200, a
        want = "text/javascript" if a.endswith(".js") else "text/css"
        assert f.header("Content-Type").startswith(want), a
        assert f.header("Content-Security-Policy") == csp
    js = c.get("/v1/docs/docs.js").body.decode()
    assert '"/v1/openapi.json"' in js and "validatorUrl: null" in js


def test_docs_refuses_other_paths(stack, admin):
    c = stack.client()
    for path in ["/v1/docs/nope.js", "/v1/docs/..%2Fopenapi.json", "/v1/docs/%2e%2e",
                 "/v1/docs/index.html/x", "/v1/docs/swagger-ui-bundle.js.map",
                 "/v1/docs/" + "a" * 200]:
        r = c.get(path)
        assert r.status == 404, (path, r)
        assert r.header("Content-Type") == "application/problem+json"
    assert c.post("/v1/docs", {}).status == 405
    assert admin.delete("/v1/docs/docs.js").status == 405
    # the query string is ignored, the page is the same
    assert c.get("/v1/docs?x=<script>").body == c.get("/v1/docs").body


def test_openapi_names_every_operation_in_french(stack):
    doc = stack.client().get("/v1/openapi.json").json
    ops = [(p, m, o) for p, item in doc["paths"].items() for m, o in item.items()]
    assert len(ops) >= 50
    for p, m, o in ops:
        assert o.get("summary"), (m, p)
        ok = [c for c in o["responses"] if c.startswith("2")]
        assert ok, (m, p)
        if m in ("post", "put", "patch"):
            assert "requestBody" in o, (m, p)
    assert "/v1/docs" in doc["paths"]
