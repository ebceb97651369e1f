"""traffic.py — one pass over every operation of /v1/openapi.json, through
Stoplight Prism's validating proxy, against a real stack.

    python3 tests/contract/traffic.py [--direct F] the pass (what `make contract` runs)
    python3 tests/contract/traffic.py --dump D   the same traffic straight to the API,
                                                 every answer written under D (to write schemas)

Two proxies stand in front of the same API:
  - strict (`prism proxy --errors`): the well-formed traffic. Prism refuses a
    request the document does not allow (its own 422) and turns an answer the
    document does not describe into its own 500; either is a violation.
  - lenient (`prism proxy`, violations in the `sl-violations` header): the
    hostile requests (malformed JSON, invalid fields, wrong media type, oversized
    bodies), which Prism would refuse itself in strict mode. Their requests are
    meant to break the document; their answers must not: any violation located
    in the response counts.
Bodies Prism cannot carry at all (not JSON, duplicate keys, over the size
limit: its own parser answers first) go straight to the API; their answers
are written to a file that check.mjs validates against the document with Ajv.
Every operation of the document must be exercised at least once with a 2xx
answer, so that a route added to api/core/routes.def without traffic here fails the
pass (add a call below, next to its resource).
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import epart  # noqa: E402
from oidc_provider import Provider  # noqa: E402
from epart import dossier_body, organisation_body, wait_for  # noqa: E402

PRISM = os.path.join(HERE, "node_modules", ".bin", "prism")
PERSON = {"last_name": "MARTIN", "first_names": ["Paul"], "birth_date": "1975-05-12",
          "phone": "0600000001"}


class Pass:
    def __init__(self, stack, strict_port, lenient_port, dump=None):
        self.stack = stack
        self.strict = strict_port
        self.lenient = lenient_port
        self.dump = dump
        self.doc = stack.client().get("/v1/openapi.json").json
        self.templates = []
        for path, item in self.doc["paths"].items():
            rx = "^" + re.sub(r"\\\{[a-z0-9_]+\\\}", "[^/]+", re.escape(path)) + "$"
            for method in item:
                self.templates.append((method.upper(), path, re.compile(rx)))
        self.seen = {}        # (METHOD, template) -> set of statuses
        self.violations = []
        self.direct = []      # answers to bodies Prism cannot carry, checked by check.mjs
        self.n = 0

    def template(self, method, path):
        bare = path.split("?")[0]
        for m, t, rx in self.templates:
            if m == method and rx.match(bare):
                return t
        return None

    def call(self, token, method, path, body=None, expect=None, hostile=False, direct=False,
             **kw):
        port = self.lenient if hostile else self.strict
        if self.dump is not None or direct:
            port = self.stack.port
        r = epart.Client(port, token).request(method, path, body=body, **kw)
        self.n += 1
        t = self.template(method, path)
        where = "%s %s -> %d" % (method, path, r.status)
        if t is None:
            self.violations.append("%s: no such operation in the document" % where)
        else:
            self.seen.setdefault((method, t), set()).add(r.status)
        if self.dump is not None:
            name = "%03d %s %s %d" % (self.n, method, (t or path).replace("/", "_"), r.status)
            with open(os.path.join(self.dump, name + ".txt"), "wb") as f:
                f.write(("%s\n%s\n\n" % (where, r.headers)).encode() + r.body)
        elif direct:
            self.direct.append({"method": method.lower(), "path": t, "status": r.status,
                                "content_type": r.header("Content-Type"),
                                "body": r.body.decode("utf-8", "replace"), "where": where})
        else:
            self.check(r, where, hostile)
        if expect is not None and r.status != expect:
            self.violations.append("%s: expected %d (%s)" % (where, expect, r.body[:300]))
        return r

    def check(self, r, where, hostile):
        problem = r.json if isinstance(r.json, dict) else {}
        if str(problem.get("type", "")).startswith("https://stoplight.io/prism/errors"):
            self.violations.append("%s: %s %s" % (where, problem.get("title"),
                                                  json.dumps(problem.get("validation",
                                                             problem.get("detail")))[:1500]))
        header = r.header("sl-violations")
        if header:
            for v in json.loads(header):
                loc = v.get("location") or [""]
                if loc[0] == "response" or not hostile:
                    self.violations.append("%s: %s at %s" % (where, v.get("message"),
                                                             "/".join(map(str, loc))))

    def uncovered(self):
        out = []
        for m, t, _ in self.templates:
            codes = self.seen.get((m, t), set())
            if not any(200 <= s < 300 for s in codes):
                out.append("%s %s (answers seen: %s)" % (m, t, sorted(codes) or "none"))
        return out


def persisted(stack, table, rid):
    return wait_for(lambda: stack.psql("SELECT count(*) FROM %s WHERE id='%s'" % (table, rid))
                    == "1")


def run(p):
    """The traffic: every operation, its success and the errors it can answer."""
    s = p.stack
    admin = epart.admin_token()
    instr = epart.instructor_token("171")
    call = p.call

    # ---- service
    call(None, "GET", "/healthz", expect=200)
    call(None, "GET", "/readyz", expect=200)
    call(None, "GET", "/metrics", expect=200)
    call(None, "GET", "/v1/openapi.json", expect=200)
    call(None, "GET", "/v1/docs", expect=200)
    for f in ("docs.js", "docs.css", "swagger-ui-bundle.js", "swagger-ui.css"):
        call(None, "GET", "/v1/docs/" + f, expect=200)
    call(None, "GET", "/v1/docs/..%2Fopenapi.json", expect=404)
    call(admin, "PUT", "/v1/admin/clock", {"now": "2026-11-23T09:00:00Z"}, expect=200)
    call(admin, "GET", "/v1/admin/clock", expect=200)
    call(admin, "PUT", "/v1/admin/clock", {"now": None}, expect=200)  # back to real time
    call(admin, "PUT", "/v1/admin/clock", {"now": "2026-11-23T09:00:00Z"}, expect=200)

    # ---- organisations and API clients
    org = call(admin, "POST", "/v1/organisations",
               organisation_body(kind="pass_ville", name="PASS contrat"), expect=201).json
    org2 = call(admin, "POST", "/v1/organisations",
                organisation_body(kind="ccas", name="CCAS contrat", finess=None,
                                  referent=None), expect=201).json
    oid = org["id"]
    call(admin, "GET", "/v1/organisations?limit=2", expect=200)
    call(admin, "GET", "/v1/organisations?kind=ccas&caisse=171", expect=200)
    call(admin, "GET", "/v1/organisations/" + oid, expect=200)
    call(admin, "GET", "/v1/organisations/" + str(uuid.uuid4()), expect=404)
    call(admin, "PATCH", "/v1/organisations/" + org2["id"], {"name": "CCAS contrat modifié"},
         expect=200)
    call(admin, "PATCH", "/v1/organisations/" + org2["id"], {"ame_habilitation": False},
         content_type="application/merge-patch+json", expect=200)
    call(admin, "PATCH", "/v1/organisations/" + org2["id"], {"name": "x"},
         headers={"If-Match": '"1"'}, expect=412)
    call(admin, "POST", "/v1/organisations", organisation_body(siret="12345678901234"),
         hostile=True, expect=422)
    call(admin, "POST", "/v1/organisations", raw=b"{", direct=True, expect=400)
    call(admin, "POST", "/v1/organisations", raw=b"{}", content_type="text/plain",
         hostile=True, expect=415)
    call(admin, "POST", "/v1/organisations", raw=b"x" * (2 * 1024 * 1024), direct=True,
         expect=413)
    cl = call(admin, "POST", "/v1/organisations/%s/clients" % oid, {"name": "Logiciel PASS"},
              expect=201).json
    call(None, "POST", "/v1/auth/token",
         {"client_id": cl["client_id"], "client_secret": cl["client_secret"]}, expect=200)
    call(None, "POST", "/v1/auth/token",
         {"client_id": cl["client_id"], "client_secret": "wrong-secret"}, expect=401)
    call(None, "POST", "/v1/auth/token", {"client_id": cl["client_id"]}, hostile=True,
         expect=422)
    gone = call(admin, "POST", "/v1/organisations/%s/clients" % oid, {"name": "Logiciel retiré"},
                expect=201).json
    call(admin, "DELETE", "/v1/organisations/%s/clients/%s" % (oid, gone["client_id"]),
         expect=204)
    call(admin, "DELETE", "/v1/organisations/%s/clients/epc_inconnu" % oid, expect=404)
    partner = epart.partner_token(oid)
    call(partner, "GET", "/v1/organisations/" + oid, expect=200)
    call(partner, "POST", "/v1/organisations", organisation_body(), expect=403)
    call(None, "GET", "/v1/organisations", hostile=True, expect=401)
    call(epart.partner_token(oid, exp=1), "GET", "/v1/dossiers", hostile=True, expect=401)

    # ---- agents (SPEC §13)
    ag = call(admin, "POST", "/v1/agents", {"email": "agent.%s@cpam.example.fr" % uuid.uuid4().hex[:8],
                                            "name": "Claire Martin", "role": "instructor",
                                            "caisse": "171"}, expect=201).json
    ap = "/v1/agents/" + ag["id"]
    call(admin, "GET", "/v1/agents?role=instructor&active=true", expect=200)
    call(admin, "GET", ap, expect=200)
    call(admin, "PATCH", ap, {"active": False}, expect=200)
    call(admin, "PATCH", ap, {"name": "x"}, headers={"If-Match": '"1"'}, expect=412)
    call(admin, "POST", "/v1/agents", {"email": ag["email"], "role": "admin"}, expect=422)
    call(admin, "POST", "/v1/agents", {"email": "x@y.fr", "role": "partner"}, hostile=True,
         expect=422)
    call(admin, "DELETE", ap, expect=204)
    call(admin, "GET", ap, expect=404)
    call(partner, "GET", "/v1/agents", expect=403)
    # sessions of agents, with the real provider the pass started (its accounts:
    # deploy/oidc-demo/accounts.json; every refusal is in tests/integration/test_oidc.py)
    call(None, "GET", "/v1/auth/config", expect=200)
    call(admin, "POST", "/v1/agents", {"email": "instructeur@cpam-171.fr", "role": "instructor",
                                       "caisse": "171"}, expect=201)
    tokens, nonce = p.oidc.sign_in("instructeur@cpam-171.fr")
    call(None, "POST", "/v1/auth/session", {"id_token": tokens["id_token"], "nonce": nonce},
         expect=200)
    call(None, "POST", "/v1/auth/session", {"id_token": "x.y.z"}, expect=401)
    call(None, "POST", "/v1/auth/session", {"id_token": 3}, hostile=True, expect=422)

    # a webhook first, so that the dossiers below give it deliveries to list
    wh = call(partner, "POST", "/v1/webhooks",
              {"url": "http://127.0.0.1:9/hook", "events": ["dossier.status_changed",
                                                         "message.created"],
               "description": "Logiciel PASS"}, expect=201).json

    # ---- dossiers
    r = call(partner, "POST", "/v1/dossiers", dossier_body("puma"), expect=202)
    did = r.json["id"]
    call(partner, "GET", "/v1/dossiers/" + did, expect=200)  # read-your-writes
    persisted(s, "dossiers", did)
    call(partner, "GET", "/v1/dossiers/" + did, expect=200)
    spec_ame = dossier_body("ame", first_request=True, deposited_on="2026-11-20")
    spec_ame["applicant"]["domiciliation"] = {"organisme": "L'Escale", "since": "2025-01-10"}
    spec_ame["situation"].update({"hospitalization": {"admitted_on": "2026-11-10",
                                                       "discharged_on": None},
                                  "care_dates": ["2026-11-10"], "urgent_care_needed": False})
    dep = call(partner, "POST", "/v1/dossiers", dict(spec_ame, transmit=False),
               headers={"Idempotency-Key": "contrat-" + uuid.uuid4().hex}, expect=202).json
    persisted(s, "dossiers", dep["id"])
    call(partner, "GET", "/v1/dossiers/%s/attestation-depot" % dep["id"], expect=200)
    call(partner, "POST", "/v1/dossiers/%s/transmit" % dep["id"], expect=202)
    call(partner, "POST", "/v1/dossiers/%s/pieces" % did,
         {"pieces": [{"kind": "justificatif_ressources", "filename": "avis.pdf",
                      "sha256": "b" * 64, "size": 1000}]}, expect=409)
    call(partner, "POST", "/v1/dossiers", dict(dossier_body("puma"), prestation="rsa"),
         hostile=True, expect=422)
    call(partner, "POST", "/v1/dossiers", raw=b'{"a":1,"a":2}', direct=True, expect=400)
    call(partner, "GET", "/v1/dossiers?limit=1", expect=200)
    call(instr, "GET", "/v1/dossiers?status=recu&prestation=puma&overdue=false&sort=due",
         expect=200)
    call(admin, "GET", "/v1/dossiers?org=" + oid, expect=200)
    call(instr, "GET", "/v1/dossiers?status=nope", hostile=True, expect=422)
    # the back office's needs (SPEC §12): search, CSV of the filtered list, counts
    call(instr, "GET", "/v1/dossiers?sort=due&q=EP-2026", expect=200)
    call(instr, "GET", "/v1/dossiers?sort=due&prestation=puma", headers={"Accept": "text/csv"},
         expect=200)
    call(instr, "GET", "/v1/dossiers?format=csv", expect=200)
    call(instr, "GET", "/v1/dossiers/counts", expect=200)
    call(instr, "GET", "/v1/dossiers/counts?prestation=puma&overdue=true&org=" + oid, expect=200)
    call(instr, "GET", "/v1/dossiers/counts?q=%25", hostile=True, expect=422)
    call(instr, "GET", "/v1/dossiers?q=a%27b", hostile=True, expect=422)
    tp = "/v1/dossiers/%s/transitions" % did
    call(instr, "POST", tp, {"action": "decide", "decision": "refus", "motif": "x"}, expect=409)
    call(instr, "POST", tp, {"action": "start_instruction"}, expect=200)
    call(instr, "POST", tp, {"action": "request_pieces", "pieces": ["justificatif_ressources"],
                             "message": "Merci d'envoyer un avis d'imposition."}, expect=200)
    call(instr, "POST", tp, {"action": "close", "reason": "x"}, headers={"If-Match": '"1"'},
         expect=412)
    call(partner, "POST", "/v1/dossiers/%s/pieces" % did,
         {"pieces": [{"kind": "justificatif_ressources", "filename": "avis.pdf",
                      "sha256": "b" * 64, "size": 1000}]}, expect=202)
    wait_for(lambda: s.psql("SELECT status FROM dossiers WHERE id='%s'" % did)
             == "en_instruction")
    call(instr, "POST", tp, {"action": "decide", "decision": "accord"}, expect=200)
    call(partner, "GET", "/v1/dossiers/" + did, expect=200)
    call(instr, "POST", tp, {"action": "fly"}, hostile=True, expect=422)
    d3 = call(partner, "POST", "/v1/dossiers", dossier_body("css"), expect=202).json["id"]
    persisted(s, "dossiers", d3)
    call(instr, "POST", "/v1/dossiers/%s/transitions" % d3,
         {"action": "close", "reason": "Demande retirée"}, expect=200)
    call(partner, "GET", "/v1/dossiers/" + d3, expect=200)
    mp = "/v1/dossiers/%s/messages" % did
    call(partner, "POST", mp, {"body": "Bonjour, où en est ce dossier ?"}, expect=202)
    call(instr, "POST", mp, {"body": "Il est décidé."}, expect=202)
    call(partner, "POST", mp, {"body": ""}, hostile=True, expect=422)
    msgs = wait_for(lambda: call(partner, "GET", mp, expect=200).json["items"])
    if msgs:
        call(partner, "GET", "%s/%s" % (mp, msgs[0]["id"]), expect=200)
    call(partner, "GET", "%s/%s" % (mp, uuid.uuid4()), expect=404)

    # ---- the services of §8
    sg = call(partner, "POST", "/v1/signalements",
              {"person": dict(PERSON), "reasons": ["sans_complementaire"],
               "parcours": "renoncement_soins",
               "consent": {"obtained_on": "2026-11-20", "informed": True}}, expect=202).json
    call(partner, "GET", "/v1/signalements/" + sg["id"], expect=200)
    persisted(s, "requests", sg["id"])
    call(partner, "GET", "/v1/signalements/" + sg["id"], expect=200)
    call(partner, "GET", "/v1/signalements?limit=5", expect=200)
    call(instr, "GET", "/v1/signalements?status=recu", expect=200)
    call(instr, "GET", "/v1/signalements?status=recu&sort=due", expect=200)
    call(instr, "GET", "/v1/signalements/counts", expect=200)
    call(partner, "GET", "/v1/rendez-vous/counts", expect=200)
    call(instr, "GET", "/v1/demandes-document/counts?org=" + oid, expect=200)
    call(instr, "GET", "/v1/rendez-vous/counts?org=x", hostile=True, expect=422)
    sp = "/v1/signalements/%s/transitions" % sg["id"]
    call(instr, "POST", sp, {"action": "soins_realises"}, expect=409)
    call(instr, "POST", sp, {"action": "pris_en_charge", "comment": "Appel le 23/11"},
         expect=200)
    call(partner, "POST", "/v1/signalements", {"person": {}, "reasons": []}, hostile=True,
         expect=422)
    rv = call(partner, "POST", "/v1/rendez-vous",
              {"person": dict(PERSON), "site": "Accueil de La Rochelle",
               "reason": "Ouverture de droits",
               "availability": ["lundi matin", {"from": "2026-11-30T08:00:00Z",
                                                 "to": "2026-11-30T10:00:00Z"}]},
              expect=202).json
    persisted(s, "requests", rv["id"])
    call(partner, "GET", "/v1/rendez-vous/" + rv["id"], expect=200)
    call(instr, "GET", "/v1/rendez-vous", expect=200)
    call(instr, "POST", "/v1/rendez-vous/%s/transitions" % rv["id"], {"action": "rappele"},
         expect=200)
    dd = call(partner, "POST", "/v1/demandes-document",
              {"person": dict(PERSON), "document": "attestation_droits", "channel": "courrier"},
              expect=202).json
    persisted(s, "requests", dd["id"])
    call(partner, "GET", "/v1/demandes-document/" + dd["id"], expect=200)
    call(partner, "GET", "/v1/demandes-document", expect=200)
    call(instr, "POST", "/v1/demandes-document/%s/transitions" % dd["id"],
         {"action": "envoye"}, expect=200)
    call(partner, "POST", "/v1/messages", {"subject": "Convention", "body": "Bonjour"},
         expect=201)
    call(instr, "POST", "/v1/messages", {"body": "Réponse de la caisse", "org": oid},
         expect=201)
    call(partner, "GET", "/v1/messages", expect=200)
    call(instr, "GET", "/v1/messages?org=" + oid, expect=200)
    call(partner, "GET", "/v1/demandes?limit=10", expect=200)
    call(instr, "GET", "/v1/demandes?kind=dossier&status=accorde&overdue=false", expect=200)
    call(partner, "GET", "/v1/demandes?kind=nope", hostile=True, expect=422)
    call(partner, "GET", "/v1/parcours", expect=200)

    # ---- rights, alerts, webhooks, indicators, audit
    call(partner, "POST", "/v1/droits/simulation",
         {"prestation": "ame", "received_on": "2021-04-22", "decided_on": "2021-05-01",
          "situation": {"regular_stay": False, "irregular_since": "2021-01-05",
                        "resources_under_ceiling": True,
                        "hospitalization": {"admitted_on": "2021-04-10",
                                            "discharged_on": None}}}, expect=200)
    call(instr, "POST", "/v1/droits/simulation",
         {"prestation": "ame", "received_on": "2021-01-13", "decided_on": "2021-01-20",
          "situation": {"regular_stay": False, "irregular_since": "2020-11-21",
                        "resources_under_ceiling": True,
                        "hospitalization": {"admitted_on": "2020-11-25",
                                            "discharged_on": "2020-11-30"}}}, expect=200)
    call(partner, "POST", "/v1/droits/simulation", {"prestation": "x"}, hostile=True,
         expect=422)
    call(admin, "PUT", "/v1/admin/clock", {"now": "2026-12-30T09:00:00Z"}, expect=200)
    wait_for(lambda: call(admin, "GET", "/v1/alerts?limit=500", expect=200).json["items"],
             timeout=8, interval=0.5)
    call(instr, "GET", "/v1/alerts?level=breach&clock=instruction&since=2026-01-01T00:00:00Z",
         expect=200)
    call(admin, "PUT", "/v1/admin/clock", {"now": "2026-11-23T09:00:00Z"}, expect=200)
    call(instr, "POST", "/v1/webhooks", {"url": "http://127.0.0.1:9/caisse",
                                         "events": ["deadline.breached"]}, expect=201)
    wp = "/v1/webhooks/" + wh["id"]
    call(partner, "GET", "/v1/webhooks", expect=200)
    call(partner, "GET", wp, expect=200)
    call(partner, "PATCH", wp, {"state": "disabled"}, expect=200)
    call(partner, "PATCH", wp, {"description": None}, headers={"If-Match": '"1"'}, expect=412)
    wait_for(lambda: call(partner, "GET", wp + "/deliveries", expect=200).json["items"],
             timeout=5)
    call(partner, "POST", "/v1/webhooks", {"url": "ftp://x", "events": []}, hostile=True,
         expect=422)
    call(partner, "DELETE", wp, expect=204)
    call(partner, "DELETE", wp, expect=404)
    call(admin, "GET", "/v1/indicateurs?from=2026-01-01&to=2026-12-31", expect=200)
    call(admin, "GET", "/v1/indicateurs?from=2026-01-01&to=2026-12-31&org=" + oid,
         headers={"Accept": "text/csv"}, expect=200)
    call(partner, "GET", "/v1/indicateurs", expect=200)
    call(admin, "GET", "/v1/indicateurs?from=2026-13-01", hostile=True, expect=422)
    call(admin, "GET", "/v1/audit?limit=5", expect=200)
    call(partner, "GET", "/v1/audit", expect=403)


def docs_render(stack, n_operations):
    """/v1/docs in Debian's Chromium, under the page's own CSP: the renderer must
    draw one block per operation (a script or style the CSP refused would leave
    the page empty). Returns a list of problems."""
    import tempfile
    profile = tempfile.mkdtemp(prefix="epart-docs-")
    try:
        out = subprocess.run(
            ["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=10000",
             "--dump-dom", "http://127.0.0.1:%d/v1/docs" % stack.port],
            capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    drawn = out.stdout.count('class="opblock-summary-path"')
    if drawn < n_operations:
        return ["/v1/docs drew %d operations of %d in Chromium" % (drawn, n_operations)]
    return []


def start_prism(doc_url, upstream, port, strict, log):
    args = [PRISM, "proxy", doc_url, upstream, "--host", "127.0.0.1", "--port", str(port),
            "--validate-request", "true"]
    if strict:
        args.append("--errors")
    p = subprocess.Popen(args, stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                         start_new_session=True)
    return p


def wait_port(port, proc, timeout=60):
    import socket
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def main():
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", help="send the traffic straight to the API, answers written here")
    ap.add_argument("--direct", default="build/contract/direct.json",
                    help="where to write the answers that did not go through Prism")
    args = ap.parse_args()
    dump = args.dump
    if dump:
        os.makedirs(dump, exist_ok=True)
    # a real OpenID provider, so that POST /v1/auth/session answers its 200 too
    http_port = epart.free_port()
    state = tempfile.mkdtemp(prefix="epart-contract-oidc-")
    provider = Provider(state, "http://localhost:%d/app/callback" % http_port).start()
    try:
        stack = epart.Stack(workers=1, extra_env={
            "EPART_HTTP_PORT": str(http_port), "EPART_OIDC_ISSUER": provider.issuer,
            "EPART_OIDC_CLIENT_ID": provider.client_id,
            "EPART_PUBLIC_URL": "http://localhost:%d" % http_port}).start()
    except BaseException:
        provider.stop()
        raise
    p_oidc = provider
    prisms = []
    failed = False
    try:
        strict_port, lenient_port = epart.free_port(), epart.free_port()
        if dump is None:
            doc = os.path.join(stack.state, "openapi.json")
            with open(doc, "wb") as f:
                f.write(stack.client().get("/v1/openapi.json").body)
            upstream = "http://127.0.0.1:%d" % stack.port
            for port, strict in ((strict_port, True), (lenient_port, False)):
                log = os.path.join(stack.state, "prism-%d.log" % port)
                prisms.append((start_prism(doc, upstream, port, strict, log), log))
                if not wait_port(port, prisms[-1][0]):
                    raise RuntimeError("prism did not start: " + open(log).read()[-3000:])
        p = Pass(stack, strict_port, lenient_port, dump)
        p.oidc = p_oidc
        t0 = time.time()
        run(p)
        if dump is None:
            os.makedirs(os.path.dirname(os.path.abspath(args.direct)), exist_ok=True)
            with open(args.direct, "w") as f:
                json.dump(p.direct, f)
        missing = p.uncovered() if dump is None else []
        if dump is None:
            n_ops = sum(len(item) for item in p.doc["paths"].values())
            p.violations += docs_render(stack, n_ops)
        for v in p.violations:
            print("VIOLATION", v)
        for m in missing:
            print("NOT EXERCISED", m)
        print("contract pass: %d requests in %.1f s, %d violations, %d operations of %d "
              "not exercised" % (p.n, time.time() - t0, len(p.violations), len(missing),
                                 len(p.templates)))
        failed = bool(p.violations or missing)
    finally:
        for proc, _ in prisms:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)
        p_oidc.stop()
        shutil.rmtree(state, ignore_errors=True)
        reports = stack.stop(keep=failed)
        if reports:
            print("sanitizer reports:", reports)
            failed = True
        if failed:
            print("state kept in", stack.state)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
