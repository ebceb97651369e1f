"""oidc_provider.py — a real OpenID Connect provider for the tests: the
certified `oidc-provider` (npm, deploy/oidc-demo/server.mjs) started on a free
loopback port with keys this module generates (so that tests can also forge
tokens with the provider's own key, or with another), and the authorization
code flow with PKCE driven over HTTP as a browser would.
"""
import base64
import hashlib
import json
import os
import secrets
import signal
import subprocess
import time
import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
import uuid

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

import epart

SERVER = os.path.join(epart.ROOT, "deploy", "oidc-demo", "server.mjs")
ACCOUNTS = json.load(open(os.path.join(epart.ROOT, "deploy", "oidc-demo", "accounts.json")))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kw):
        return None


class _Response:
    def __init__(self, status, headers, body, url):
        self.status_code, self.headers, self.text, self.url = status, headers, body, url

    def json(self):
        return json.loads(self.text)


class Browser:
    """Just enough of a browser for the provider's pages: cookies, no redirects
    followed by itself (the caller follows them, to stop at epart's)."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())

    def request(self, method, url, params=None, data=None):
        if params:
            url += "?" + urllib.parse.urlencode(params)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, method=method)
        if body is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            r = self.opener.open(req, timeout=10)
        except urllib.error.HTTPError as e:
            r = e
        return _Response(r.status if hasattr(r, "status") else r.code, r.headers,
                         r.read().decode(errors="replace"), url)

    def get(self, url, params=None, **_):
        return self.request("GET", url, params=params)

    def post(self, url, data=None, **_):
        return self.request("POST", url, data=data)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int(n):
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


class Key:
    """A signing key with its private JWK (for the provider) and public JWK."""

    def __init__(self, kind="RSA", kid=None):
        self.kind = kind
        self.kid = kid or "%s-%s" % (kind.lower(), uuid.uuid4().hex[:8])
        if kind == "RSA":
            self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pub, priv = self.key.public_key().public_numbers(), self.key.private_numbers()
            self.public = {"kty": "RSA", "kid": self.kid, "alg": "RS256", "use": "sig",
                           "n": _int(pub.n), "e": _int(pub.e)}
            self.private = dict(self.public, d=_int(priv.d), p=_int(priv.p), q=_int(priv.q),
                                dp=_int(priv.dmp1), dq=_int(priv.dmq1), qi=_int(priv.iqmp))
            self.alg = "RS256"
        else:
            self.key = ec.generate_private_key(ec.SECP256R1())
            pub = self.key.public_key().public_numbers()
            self.public = {"kty": "EC", "kid": self.kid, "alg": "ES256", "use": "sig",
                           "crv": "P-256", "x": b64url(pub.x.to_bytes(32, "big")),
                           "y": b64url(pub.y.to_bytes(32, "big"))}
            self.private = dict(self.public,
                                d=b64url(self.key.private_numbers().private_value
                                         .to_bytes(32, "big")))
            self.alg = "ES256"

    def sign(self, data):
        if self.kind == "RSA":
            return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        r, s = decode_dss_signature(self.key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def jwt(header, claims, key=None, signature=None):
    """A compact JWS; signed by key unless signature (bytes) is given."""
    signing = (b64url(json.dumps(header).encode()) + "." +
               b64url(json.dumps(claims).encode()))
    if signature is None:
        signature = key.sign(signing.encode()) if key is not None else b""
    return signing + "." + b64url(signature)


class Provider:
    """oidc-provider on 127.0.0.1:<port>, keys in a file of its state directory."""

    def __init__(self, state_dir, redirect_uri, keys=None, client_id="epart", port=None,
                 alg="RS256", client_secret=None):
        self.port = port or epart.free_port()
        self.issuer = "http://127.0.0.1:%d" % self.port
        self.dir = state_dir
        self.redirect_uri = redirect_uri
        self.client_id = client_id
        self.alg = alg
        self.client_secret = client_secret
        self.keys = keys or [Key("RSA"), Key("EC")]
        self.proc = None
        self.log = os.path.join(state_dir, "oidc-provider.log")

    def start(self):
        path = os.path.join(self.dir, "oidc-jwks.json")
        with open(path, "w") as f:
            json.dump({"keys": [k.private for k in self.keys]}, f)
        env = dict(os.environ, OIDC_PORT=str(self.port), OIDC_JWKS_FILE=path,
                   OIDC_CLIENT_ID=self.client_id, OIDC_REDIRECT_URIS=self.redirect_uri,
                   OIDC_POST_LOGOUT_URIS=self.redirect_uri.rsplit("/", 1)[0] + "/",
                   OIDC_ID_TOKEN_ALG=self.alg)
        if self.client_secret:
            env["OIDC_CLIENT_SECRET"] = self.client_secret
        self.proc = subprocess.Popen(["node", SERVER], env=env, stdout=open(self.log, "ab"),
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if Browser().get(self.issuer + "/.well-known/openid-configuration")\
                        .status_code == 200:
                    return self
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError("oidc-provider did not start; see " + self.log)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def rotate(self, keys):
        """Restart on the same port with a new key set (a key rotation)."""
        self.stop()
        self.keys = keys
        self.start()

    @property
    def signing_key(self):
        return next(k for k in self.keys if k.alg == self.alg)

    def claims(self, sub="someone", **over):
        now = int(time.time())
        c = {"iss": self.issuer, "aud": self.client_id, "sub": sub, "iat": now, "exp": now + 300}
        c.update(over)
        return c

    def forge(self, claims=None, key=None, header=None, **over):
        """A token as the provider would sign it (its own key unless told)."""
        key = key or self.signing_key
        head = header if header is not None else {"alg": key.alg, "kid": key.kid}
        return jwt(head, claims if claims is not None else self.claims(**over), key)

    def sign_in(self, login, password=None, nonce=None):
        """The authorization code flow with PKCE, state and nonce, over HTTP.
        Returns the token endpoint's answer (with id_token) and the nonce."""
        code, verifier, nonce = self.authorize(login, password, nonce)
        t = Browser().post(self.issuer + "/token", data={
            "grant_type": "authorization_code", "code": code,
            "redirect_uri": self.redirect_uri, "client_id": self.client_id,
            "code_verifier": verifier})
        assert t.status_code == 200, t.text
        return t.json(), nonce

    def authorize(self, login, password=None, nonce=None):
        """The front half of the flow: (code, code_verifier, nonce)."""
        password = password or next(a["password"] for a in ACCOUNTS if a["login"] == login)
        s = Browser()
        verifier = b64url(secrets.token_bytes(32))
        challenge = b64url(hashlib.sha256(verifier.encode()).digest())
        state = b64url(secrets.token_bytes(16))
        nonce = nonce or b64url(secrets.token_bytes(16))
        r = s.get(self.issuer + "/auth", params={
            "client_id": self.client_id, "redirect_uri": self.redirect_uri,
            "response_type": "code", "scope": "openid email profile", "state": state,
            "nonce": nonce, "code_challenge": challenge, "code_challenge_method": "S256"})
        r = self._follow(s, r)
        assert r.status_code == 200 and "/interaction/" in r.url, (r.status_code, r.text[:300])
        uid = urllib.parse.urlparse(r.url).path.split("/")[2]
        r = s.post("%s/interaction/%s/login" % (self.issuer, uid),
                   data={"login": login, "password": password})
        r = self._follow(s, r)
        assert r.status_code in (302, 303), (r.status_code, r.text[:300])
        q = urllib.parse.parse_qs(urllib.parse.urlparse(r.headers["Location"]).query)
        assert q["state"] == [state], q
        return q["code"][0], verifier, nonce

    def _follow(self, s, r):
        """Follow the provider's redirects until the one to epart's redirect URI."""
        for _ in range(10):
            if r.status_code not in (302, 303):
                return r
            loc = urllib.parse.urljoin(r.url, r.headers["Location"])
            if loc.startswith(self.redirect_uri):
                return r
            r = s.get(loc)
        raise AssertionError("too many redirects")
