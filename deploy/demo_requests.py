#!/usr/bin/env python3
"""demo_requests.py — the living backlog of the demonstration (SPEC §12).

Loads requests in every status, with clocks running, inside their warning leads
and already breached, through the product's own paths only: partners submit
over HTTP, instructors act with /transitions, and the test clock of SPEC §6
(PUT /v1/admin/clock) is set back in time before each step so that receipts,
due times and alerts are computed by epart itself, never written by hand.

    python3 deploy/demo_requests.py --url http://127.0.0.1:8080 [--keep-clock]

Needs EPART_JWT_SECRET (to sign the demonstration's tokens) and an API started
with EPART_TEST_CLOCK=1. The organisations come from deploy/demo.sql. Without
--keep-clock the clock is handed back to real time at the end (make run); the
browser tests keep it frozen at the load's "now" so that what they see is exact.
Does nothing when the caisse already has dossiers (a second make run).
"""
import argparse
import base64
import csv
import datetime as dt
import hashlib
import hmac
import http.client
import json
import os
import sys
import time
import urllib.parse
import uuid

PASS = "0b6f3c1e-3d0a-4c1e-9a51-1d2f6c7a8b01"  # PASS de ville de La Rochelle (AME habilitated)
CCAS = "0b6f3c1e-3d0a-4c1e-9a51-1d2f6c7a8b02"  # CCAS de Rochefort
FRANCE_SERVICES = "0b6f3c1e-3d0a-4c1e-9a51-1d2f6c7a8b03"

DAY = 86400


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(secret, ttl=3600, **claims):
    now = int(time.time())
    body = {"iss": "epart", "aud": "epart-api", "iat": now, "exp": now + ttl}
    body.update(claims)
    signing = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + \
        b64url(json.dumps(body).encode())
    sig = hmac.new(secret.encode(), signing.encode(), hashlib.sha256).digest()
    return signing + "." + b64url(sig)


def iso(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def day(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%d")


class Api:
    def __init__(self, url, tok):
        u = urllib.parse.urlparse(url)
        self.host, self.port, self.tok = u.hostname, u.port or 80, tok

    def call(self, method, path, body=None, headers=None):
        for attempt in range(50):
            conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            h = {"Authorization": "Bearer " + self.tok}
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                h["Content-Type"] = "application/json"
            h.update(headers or {})
            try:
                conn.request(method, path, body=data, headers=h)
                r = conn.getresponse()
                text = r.read()
            except OSError:
                time.sleep(0.2)
                continue
            finally:
                conn.close()
            if r.status in (429, 503):
                time.sleep(0.2)
                continue
            doc = json.loads(text) if text and text[:1] in (b"{", b"[") else None
            return r.status, doc
        raise RuntimeError("%s %s: the API keeps answering 503/429" % (method, path))

    def ok(self, method, path, body=None, expect=(200, 201, 202)):
        status, doc = self.call(method, path, body)
        if status not in expect:
            raise RuntimeError("%s %s answered %d: %s" % (method, path, status, doc))
        return doc


# The people of the demonstration, one a row (deploy/demo_people.csv): who they
# are is data, and the backlog below deals them out in turn.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo_people.csv"),
          newline="", encoding="utf-8") as _f:
    PEOPLE = list(csv.DictReader(_f))


def person(i):
    p = PEOPLE[i % len(PEOPLE)]
    return {"last_name": p["last_name"], "first_names": [p["first_name"]],
            "birth_date": p["birth_date"], "sex": p["sex"],
            "nir": None, "phone": "06000000%02d" % (i % 100), "email": None, "language": "fr",
            "interpreter_needed": False,
            "address": {"line": p["line"], "postal_code": p["postal_code"], "city": p["city"]}}


def piece(kind, name):
    return {"kind": kind, "filename": name, "sha256": hashlib.sha256(name.encode()).hexdigest(),
            "size": 100000 + len(name)}


def dossier_body(prestation, i, now, transmit=True, first_request=False, deposited_on=None):
    body = {"prestation": prestation, "first_request": first_request, "transmit": transmit,
            "applicant": person(i),
            "pieces": [piece("identite", "identite-%d.pdf" % i),
                       piece("justificatif_domicile", "domicile-%d.pdf" % i)],
            "consent": {"obtained_on": day(now - DAY), "informed": True}}
    if deposited_on:
        body["deposited_on"] = deposited_on
    if prestation == "puma":
        body["situation"] = {"puma_criterion": "residence", "regular_stay": True,
                             "residence_since": day(now - 200 * DAY)}
    elif prestation == "css":
        body["situation"] = {"puma_start": day(now - 400 * DAY), "regular_stay": True,
                             "resources_under_ceiling": True, "precarious": i % 2 == 0}
        body["pieces"].append(piece("justificatif_ressources", "ressources-%d.pdf" % i))
    else:
        body["situation"] = {"regular_stay": False, "irregular_since": day(now - 300 * DAY),
                             "resources_under_ceiling": True, "precarious": True,
                             "care_dates": [day(now - 5 * DAY)]}
        body["pieces"].append(piece("justificatif_ressources", "ressources-%d.pdf" % i))
    return body


def small_person(i):
    p = person(i)
    return {"last_name": p["last_name"], "first_names": p["first_names"],
            "birth_date": p["birth_date"], "phone": p["phone"]}


class Demo:
    def __init__(self, url, secret):
        self.admin = Api(url, token(secret, role="admin", sub="demo-admin"))
        self.instr = Api(url, token(secret, role="instructor", caisse="171", sub="demo-instructeur"))
        self.partners = {o: Api(url, token(secret, role="partner", org=o, sub="demo-" + o[-2:]))
                         for o in (PASS, CCAS, FRANCE_SERVICES)}
        self.now = None
        self.n = 0
        self.created = {"dossiers": [], "signalements": [], "rendez_vous": [],
                        "demandes_document": []}

    def clock(self, t):
        self.now = t
        self.admin.ok("PUT", "/v1/admin/clock", {"now": iso(t)})

    def persisted(self, path):
        for _ in range(300):
            status, doc = self.admin.call("GET", path)
            if status == 200 and not doc.get("queued"):
                return doc
            time.sleep(0.05)
        raise RuntimeError("%s was not persisted by the worker" % path)

    def wait_status(self, path, status):
        for _ in range(300):
            code, doc = self.admin.call("GET", path)
            if code == 200 and doc.get("status") == status and not doc.get("queued"):
                return doc
            time.sleep(0.05)
        raise RuntimeError("%s did not reach %s" % (path, status))

    def dossier(self, org, prestation, actions=(), **kw):
        i = self.n
        self.n += 1
        doc = self.partners[org].ok("POST", "/v1/dossiers",
                                    dossier_body(prestation, i, self.now, **kw))
        d = self.persisted("/v1/dossiers/" + doc["id"])
        self.created["dossiers"].append(d)
        self.act(d["id"], org, actions)
        return d

    def act(self, did, org, actions):
        path = "/v1/dossiers/%s/transitions" % did
        for a in actions:
            if a == "start":
                self.instr.ok("POST", path, {"action": "start_instruction"})
            elif a == "pieces":
                self.instr.ok("POST", path, {"action": "request_pieces",
                                             "pieces": ["justificatif_ressources"],
                                             "message": "Merci d'envoyer un avis d'imposition."})
            elif a == "answer":
                self.partners[org].ok("POST", "/v1/dossiers/%s/pieces" % did,
                                      {"pieces": [piece("justificatif_ressources",
                                                        "avis-impot-%s.pdf" % did[:8])]})
                self.wait_status("/v1/dossiers/" + did, "en_instruction")
            elif a == "accord":
                self.instr.ok("POST", path, {"action": "decide", "decision": "accord",
                                             "motif": None})
            elif a == "refus":
                self.instr.ok("POST", path, {"action": "decide", "decision": "refus",
                                             "motif": "Ressources supérieures au plafond."})
            elif a == "close":
                self.instr.ok("POST", path, {"action": "close",
                                             "reason": "Demande en double."})
            elif a == "message":
                self.partners[org].ok("POST", "/v1/dossiers/%s/messages" % did,
                                      {"body": "Bonjour, la personne est joignable le matin."})
            elif a == "transmit":
                self.partners[org].ok("POST", "/v1/dossiers/%s/transmit" % did, {})
                self.wait_status("/v1/dossiers/" + did, "recu")

    def request(self, kind, org, body, actions=()):
        base = {"signalements": "/v1/signalements", "rendez_vous": "/v1/rendez-vous",
                "demandes_document": "/v1/demandes-document"}[kind]
        doc = self.partners[org].ok("POST", base, body)
        d = self.persisted("%s/%s" % (base, doc["id"]))
        for a in actions:
            self.instr.ok("POST", "%s/%s/transitions" % (base, d["id"]),
                          {"action": a, "comment": "Action de démonstration."})
        self.created[kind].append(d)
        return d

    def signalement(self, org, actions=()):
        i = self.n
        self.n += 1
        return self.request("signalements", org, {
            "person": small_person(i), "reasons": ["sans_complementaire", "avance_de_frais"],
            "parcours": "renoncement_soins",
            "consent": {"obtained_on": day(self.now), "informed": True}}, actions)

    def rendez_vous(self, org, actions=()):
        i = self.n
        self.n += 1
        return self.request("rendez_vous", org, {
            "person": small_person(i), "site": "Accueil CPAM La Rochelle",
            "reason": "Ouverture de droits", "availability": ["mardi matin", "jeudi après-midi"]},
            actions)

    def demande_document(self, org, document, actions=()):
        i = self.n
        self.n += 1
        return self.request("demandes_document", org, {
            "person": small_person(i), "document": document, "channel": "courrier"}, actions)

    def load(self, t0):
        """The backlog as of t0 (an instant): every status, every clock state."""
        H = 3600
        # 40 days ago: breached long ago; an AME first request transmitted 10 days after
        # its deposit (the transmission clock breached at receipt).
        self.clock(t0 - 40 * DAY)
        self.dossier(PASS, "ame", first_request=True, deposited_on=day(t0 - 50 * DAY),
                     actions=["message"])
        self.dossier(CCAS, "puma", actions=["start"])
        self.dossier(CCAS, "css", actions=["start", "pieces", "answer", "accord"])
        self.dossier(PASS, "puma", actions=["start", "refus"])
        self.dossier(FRANCE_SERVICES, "css", actions=["close"])
        # 33 days ago: breached three days ago
        self.clock(t0 - 33 * DAY)
        self.dossier(PASS, "css")
        self.dossier(CCAS, "puma", actions=["start", "pieces"])
        # 27 and 26 days ago: inside the 5-day warning lead (J-2, J-3)
        self.clock(t0 - 27 * DAY - 6 * H)
        self.dossier(CCAS, "puma", actions=["start"])
        self.clock(t0 - 26 * DAY)
        self.dossier(PASS, "ame", actions=["start", "message"])
        self.dossier(FRANCE_SERVICES, "puma")
        # 15 and 5 days ago: running, not yet warned
        self.clock(t0 - 15 * DAY)
        self.dossier(CCAS, "css", actions=["start", "pieces"])
        self.dossier(PASS, "puma", actions=["start", "accord"])
        self.clock(t0 - 5 * DAY)
        self.dossier(FRANCE_SERVICES, "css", actions=["start"])
        self.dossier(CCAS, "puma")
        # signalements: 48-hour clock breached, in its 12-hour lead, running; and closed ones
        self.clock(t0 - 4 * DAY)
        self.signalement(CCAS)
        self.signalement(PASS, actions=["pris_en_charge", "en_cours", "soins_realises"])
        self.signalement(FRANCE_SERVICES, actions=["non_pertinent"])
        # rendez-vous: 24-hour clock breached; document requests sent and refused
        self.clock(t0 - 2 * DAY)
        self.rendez_vous(PASS)
        self.rendez_vous(CCAS, actions=["rappele", "planifie", "honore"])
        self.demande_document(CCAS, "attestation_droits", actions=["envoye"])
        self.demande_document(PASS, "attestation_css", actions=["refuse"])
        self.clock(t0 - 40 * H)
        self.signalement(PASS)                       # due in 8 h: inside its 12-hour lead
        self.signalement(CCAS, actions=["pris_en_charge", "en_cours"])
        self.clock(t0 - 21 * H)
        self.rendez_vous(CCAS)                       # due in 3 h: inside its 4-hour lead
        self.rendez_vous(PASS, actions=["rappele"])
        # today: fresh requests and a deposit not yet transmitted
        self.clock(t0 - 2 * H)
        self.dossier(CCAS, "puma")
        self.dossier(PASS, "ame", first_request=True, deposited_on=day(t0 - 2 * H))
        self.dossier(PASS, "css", transmit=False)
        self.signalement(FRANCE_SERVICES)
        self.rendez_vous(FRANCE_SERVICES)
        self.demande_document(FRANCE_SERVICES, "attestation_droits")
        self.clock(t0)
        return self.created


def already_loaded(demo):
    status, doc = demo.instr.call("GET", "/v1/dossiers?limit=1")
    return status == 200 and doc and doc.get("items")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--keep-clock", action="store_true",
                    help="leave the test clock frozen at the load's now")
    args = ap.parse_args()
    secret = os.environ.get("EPART_JWT_SECRET")
    if not secret:
        sys.exit("demo_requests: EPART_JWT_SECRET is required")
    demo = Demo(args.url, secret)
    if already_loaded(demo):
        print("demo_requests: the demonstration backlog is already there")
        return
    status, _ = demo.admin.call("GET", "/v1/admin/clock")
    if status != 200:
        sys.exit("demo_requests: the API runs without EPART_TEST_CLOCK=1; no backlog loaded")
    t0 = int(time.time())
    created = demo.load(t0)
    if not args.keep_clock:
        demo.admin.ok("PUT", "/v1/admin/clock", {"now": None})
    print("demo_requests: %d dossiers, %d signalements, %d rendez-vous, %d demandes de document"
          % tuple(len(created[k]) for k in ("dossiers", "signalements", "rendez_vous",
                                             "demandes_document")))


if __name__ == "__main__":
    main()
