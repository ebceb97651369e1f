"""The web application's files served by epart-api (SPEC §12): redirects,
content types, the security headers, gzip, caching, and hostile paths that must
never reach a file outside the built folder."""
import gzip
import os
import re
import shutil
import subprocess
import tempfile

import epart
from epart import ROOT

WEB = os.path.join(ROOT, "build", "web")


def test_root_redirects_to_app(stack):
    c = stack.client()
    for path in ("/", "/app"):
        r = c.get(path)
        assert r.status == 302 and r.header("Location") == "/app/", r
        assert "frame-ancestors 'none'" in r.header("Content-Security-Policy")


def test_app_served_with_types_and_security_headers(stack):
    c = stack.client()
    expected = {"/app/": "text/html; charset=utf-8",
                "/app/js/main.js": "text/javascript; charset=utf-8",
                "/app/css/app.css": "text/css; charset=utf-8",
                "/app/favicon.svg": "image/svg+xml",
                "/app/vendor/charts.min.css": "text/css; charset=utf-8"}
    for path, ctype in expected.items():
        r = c.get(path)
        assert r.status == 200, (path, r)
        assert r.header("Content-Type") == ctype, path
        csp = r.header("Content-Security-Policy")
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "default-src 'self'" in csp
        assert r.header("X-Content-Type-Options") == "nosniff"
        assert r.header("Content-Encoding") is None  # not asked for
    index = c.get("/app/").body.decode()
    assert '<html lang="fr">' in index and 'type="module"' in index


def test_built_pages_have_no_inline_script_or_style():
    for dirpath, _, files in os.walk(WEB):
        for f in files:
            if not f.endswith(".html"):
                continue
            text = open(os.path.join(dirpath, f), encoding="utf-8").read()
            for tag in re.findall(r"<script\b[^>]*>", text):
                assert "src=" in tag, (f, tag)
            assert "<style" not in text and " style=" not in text and "onclick" not in text, f


def test_sources_never_insert_html():
    """Data goes into the page as text only: no HTML sink in the application nor
    in our script of /v1/docs (web/apidocs)."""
    sinks = re.compile(r"\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|"
                       r"createContextualFragment|DOMParser|\beval\(|new Function\(")
    walked = [w for top in ("src", "apidocs") for w in os.walk(os.path.join(ROOT, "web", top))]
    assert any("docs.js" in files for _, _, files in walked)
    for dirpath, _, files in walked:
        for f in files:
            if f.endswith(".js"):
                lines = open(os.path.join(dirpath, f), encoding="utf-8").read().splitlines()
                code = "\n".join(x for x in lines if not x.lstrip().startswith(("//", "*", "/*")))
                assert not sinks.search(code), (f, sinks.search(code).group(0))


def test_gzip_etag_and_head(stack):
    c = stack.client()
    r = c.get("/app/js/main.js", headers={"Accept-Encoding": "gzip, deflate"})
    assert r.status == 200 and r.header("Content-Encoding") == "gzip"
    assert r.header("Vary") == "Accept-Encoding"
    plain = open(os.path.join(WEB, "js", "main.js"), "rb").read()
    assert gzip.decompress(r.body) == plain
    assert c.get("/app/js/main.js", headers={"Accept-Encoding": "gzip;q=0"}).body == plain
    etag = r.header("ETag")
    assert etag and c.get("/app/js/main.js", headers={"If-None-Match": etag}).status == 304
    h = c.request("HEAD", "/app/css/app.css")
    assert h.status == 200 and h.body == b""
    assert c.request("POST", "/app/", raw=b"x").status == 405
    assert c.request("DELETE", "/app/js/main.js").status == 405


def test_pages_of_the_application_fall_back_to_index(stack):
    c = stack.client()
    index = c.get("/app/").body
    for path in ("/app/dossiers/0b6f3c1e-3d0a-4c1e-9a51-1d2f6c7a8b01", "/app/connexion",
                 "/app/callback", "/app/indicateurs"):
        r = c.get(path)
        assert r.status == 200 and r.body == index, path
    assert c.get("/app/missing.js").status == 404


HOSTILE = [
    "/app/../../../../etc/passwd", "/app/..%2f..%2f..%2fetc%2fpasswd", "/app/%2e%2e/%2e%2e/etc/passwd",
    "/app/js/../../../etc/passwd", "/app//etc/passwd", "/app/.%2e/.%2e/etc/passwd",
    "/app/..\\..\\etc\\passwd", "/app/%00", "/app/index.html%00.js", "/app/.git/config",
    "/app/js/.hidden", "/app/js/./main.js", "/app/%c0%ae%c0%ae/etc/passwd",
    "/app/" + "a/" * 200 + "x.js", "/app/js//main.js", "/app/js/main.js/",
    "/app/..", "/app/.", "/app/~root", "/app/js/main.js.gz",
]


def test_hostile_paths_never_leave_the_built_folder(stack):
    c = stack.client()
    index = c.get("/app/").body
    for path in HOSTILE:
        r = c.get(path)
        # "/app/~root" is an extension-less page route: the application's index
        assert r.status in (400, 404) or (path == "/app/~root" and r.body == index), (path, r)
        assert b"root:" not in r.body and b"[core]" not in r.body, path
        assert r.header("X-Content-Type-Options") == "nosniff", path


def test_files_come_from_memory_and_links_are_not_followed(stack):
    """A second API serving a folder that holds symbolic links out of it; its files
    are removed after start-up and still served (no disk read per request)."""
    d = tempfile.mkdtemp(prefix="epart-web-")
    try:
        open(os.path.join(d, "index.html"), "w").write("<!doctype html><title>t</title>")
        os.makedirs(os.path.join(d, "js"))
        open(os.path.join(d, "js", "a.js"), "w").write("export const a = 1;\n")
        os.symlink("/etc/passwd", os.path.join(d, "passwd.txt"))
        os.symlink("/etc", os.path.join(d, "etc"))
        env = dict(stack.env)
        env["EPART_HTTP_PORT"] = str(epart.free_port())
        env["EPART_WEB_DIR"] = d
        log = open(os.path.join(stack.state, "log", "web-api.log"), "ab")
        api = subprocess.Popen([os.path.join(stack.bin, "epart-api")], env=env, stdout=log,
                               stderr=subprocess.STDOUT)
        try:
            c = epart.Client(int(env["EPART_HTTP_PORT"]))
            assert epart.wait_for(lambda: _up(c), timeout=20)
            shutil.rmtree(os.path.join(d, "js"))
            r = c.get("/app/js/a.js")
            assert r.status == 200 and r.body == b"export const a = 1;\n"
            index = c.get("/app/").body
            assert c.get("/app/passwd.txt").status == 404
            for path in ("/app/etc/passwd", "/app/etc/hostname"):
                r = c.get(path)  # a page route at most: the application's index
                assert r.status == 200 and r.body == index and b"root:" not in r.body, path
        finally:
            stack.stop_process(api)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _up(c):
    try:
        return c.get("/app/", timeout=2).status == 200
    except OSError:
        return False


def test_clock_back_to_real_time(stack, admin):
    r = admin.put("/v1/admin/clock", {"now": "2020-01-01T00:00:00Z"})
    assert r.status == 200 and r.json["now"] == "2020-01-01T00:00:00Z"
    r = admin.put("/v1/admin/clock", {"now": None})
    assert r.status == 200 and r.json["now"] > "2026-01-01"
    assert admin.put("/v1/admin/clock", {"now": 12}).status == 422
