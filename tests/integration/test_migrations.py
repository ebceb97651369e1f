"""The schema's two halves (sql/functions/README.md): tables in the numbered
migrations, applied once; every function and trigger in sql/functions/,
re-applied by deploy/migrate.sh at every run. A database migrated from an old
main must come out identical to a new one, its data intact, and the deposit date
the documents show must follow common/dossier_life.c's rule (SPEC §4)."""
import glob
import json
import os
import re
import subprocess
import tarfile
import tempfile
import uuid

import pytest

import epart
from epart import dossier_body, wait_for

ROOT = epart.ROOT
SQL = os.path.join(ROOT, "sql")
# main before sql/functions/: its migrations defined the functions, some of them
# two or three times over (003, 005, 011; 002, 005, 012)
OLD_MAIN = "1b1bf30"
OLD_TREE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "main-1b1bf30-sql.tar.gz")


def old_tree(dest):
    """sql/ and deploy/migrate.sh as they were on OLD_MAIN, from the archive committed beside
    this test (`git archive 1b1bf30 sql deploy/migrate.sh | gzip -9n`): a shallow clone, as CI
    may make, has no OLD_MAIN to read."""
    with tarfile.open(OLD_TREE) as t:
        t.extractall(dest)
    return os.path.join(dest, "sql"), os.path.join(dest, "deploy", "migrate.sh")


def psql_argv(stack, db, user):
    argv = ["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1",
            "-h", os.path.join(stack.state, "run"), "-p", stack.env["EPART_PG_PORT"],
            "-U", user, "-d", db]
    return (["runuser", "-u", "postgres", "--"] + argv) if os.getuid() == 0 else argv


def psql(stack, db, sql, user="epart"):
    pw = stack.secret("pg_password" if user == "epart" else "pg_admin_password")
    r = subprocess.run(psql_argv(stack, db, user) + ["-c", sql], capture_output=True, text=True,
                       check=True, env=dict(os.environ, PGPASSWORD=pw))
    return r.stdout.strip()


def migrate(stack, db, sql_dir, script=os.path.join(ROOT, "deploy", "migrate.sh")):
    run = "runuser -u postgres -- psql" if os.getuid() == 0 else "psql"
    return subprocess.run(
        ["sh", script, sql_dir, "-h", os.path.join(stack.state, "run"),
         "-p", stack.env["EPART_PG_PORT"], "-U", "epart", "-d", db],
        capture_output=True, text=True, check=True,
        env=dict(os.environ, PSQL=run, PGPASSWORD=stack.secret("pg_password")))


def catalogue(stack, db):
    """What the schema is made of, as text: functions (their whole definitions),
    triggers, columns, indexes, constraints."""
    q = {
        "functions": "SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) "
                     "|| ') ' || pg_get_functiondef(p.oid) FROM pg_proc p "
                     "JOIN pg_namespace n ON n.oid = p.pronamespace "
                     "WHERE n.nspname = 'public' ORDER BY 1",
        "triggers": "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t "
                    "WHERE NOT t.tgisinternal ORDER BY 1",
        "columns": "SELECT concat_ws(' ', table_name, column_name, data_type, is_nullable, "
                   "column_default) FROM information_schema.columns "
                   "WHERE table_schema = 'public' ORDER BY 1",
        "indexes": "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
        "compression": "SELECT attrelid::regclass || ' ' || attname || ' ' "
                       "|| attcompression::text "
                       "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                       "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' "
                       "AND attcompression::text <> '' ORDER BY 1",
        "constraints": "SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid) "
                       "FROM pg_constraint WHERE connamespace = 'public'::regnamespace "
                       "ORDER BY 1",
    }
    return {k: psql(stack, db, v) for k, v in q.items()}


def create_entry(org, deposited_on=None, ame_deposit_on=None):
    """A dossier.create entry as the worker hands it to epart_apply_dossier_create."""
    did = str(uuid.uuid4())
    body = dossier_body("ame", first_request=ame_deposit_on is not None,
                        deposited_on=deposited_on)
    return did, {
        "entry": str(uuid.uuid4()), "stream_id": "1764633600000-0", "seq": 1764633600000,
        "meta": {"id": did, "org": org, "caisse": "171", "reference": "D-20261202-0001",
                 "status": "depose", "received_at_us": 1764633600000000,
                 "received_on": None, "ame_deposit_on": ame_deposit_on,
                 "actor": {"sub": "partner-test", "role": "partner", "org": org}},
        "body": body,
        "deadlines": [{"clock": "transmission", "started_on": ame_deposit_on,
                       "due_at": "2026-11-28T23:00:00Z", "stopped_at": None, "fired_rank": 0,
                       "next_fire_at": "2026-11-26T23:00:00Z"}],
        "alerts": [],
    }


def sql_literal(doc):
    return "'" + json.dumps(doc).replace("'", "''") + "'"


@pytest.fixture(scope="module")
def old_db(stack):
    """A database at OLD_MAIN's schema, with a dossier written by its functions,
    then migrated by this tree's migrate.sh."""
    name = "epart_old_" + uuid.uuid4().hex[:8]
    psql(stack, "postgres", "CREATE DATABASE %s OWNER epart" % name, user="postgres")
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        old_sql, old_script = old_tree(tmp)
        for p in [tmp] + glob.glob(os.path.join(tmp, "**"), recursive=True):
            os.chmod(p, 0o755 if os.path.isdir(p) else 0o644)
        migrate(stack, name, old_sql, script=old_script)
    org = str(uuid.uuid4())
    psql(stack, name, "INSERT INTO organisations (id, name, kind, caisse, ame_habilitation, "
                      "convention, created_at, updated_at) VALUES ('%s', 'PASS', 'pass_ville', "
                      "'171', false, '{}', now(), now())" % org)
    did, e = create_entry(org, deposited_on="2026-11-20", ame_deposit_on="2026-11-20")
    assert psql(stack, name, "SELECT epart_apply_dossier_create(%s::jsonb)" % sql_literal(e)) \
        == "applied"
    doc_sql = "SELECT epart_dossier_doc(d, true) FROM dossiers d WHERE id = '%s'" % did
    before = psql(stack, name, doc_sql)
    out = migrate(stack, name, SQL)
    yield {"name": name, "org": org, "dossier": did, "before": before, "doc_sql": doc_sql,
           "log": out.stderr}
    psql(stack, "postgres", "DROP DATABASE %s" % name, user="postgres")


def test_migrations_hold_tables_and_functions_live_once_in_sql_functions():
    defined = {}
    for f in sorted(glob.glob(os.path.join(SQL, "functions", "*.sql"))):
        text = open(f).read()
        # outside the bodies, nothing but CREATE OR REPLACE: applying twice is a no-op
        outside = re.sub(r"--[^\n]*", "", re.sub(r"\$\$.*?\$\$", "", text, flags=re.S))
        for statement in filter(None, (s.strip() for s in outside.split(";"))):
            assert re.match(r"CREATE OR REPLACE (FUNCTION|TRIGGER|VIEW) ", statement), (
                f, statement[:80])
        for m in re.finditer(r"^CREATE\s+(OR\s+REPLACE\s+)?(FUNCTION|TRIGGER|VIEW)\s+(\w+)",
                             text, re.M | re.I):
            assert m.group(1), "%s: %s is not CREATE OR REPLACE" % (f, m.group(3))
            assert m.group(3) not in defined, "%s defined in %s and %s" % (
                m.group(3), defined.get(m.group(3)), f)
            defined[m.group(3)] = f
    assert "epart_apply_dossier_create" in defined and "epart_dossier_doc" in defined
    for f in glob.glob(os.path.join(SQL, "[0-9]*.sql")):
        text = re.sub(r"--[^\n]*", "", open(f).read())
        assert not re.search(r"\bCREATE\s+(OR\s+REPLACE\s+)?(FUNCTION|TRIGGER|VIEW|PROCEDURE)\b",
                             text, re.I), "%s defines a function: move it to sql/functions" % f


def test_every_function_of_the_database_is_one_of_sql_functions(stack):
    names = set()
    for f in glob.glob(os.path.join(SQL, "functions", "*.sql")):
        names |= set(re.findall(r"^CREATE OR REPLACE FUNCTION (\w+)", open(f).read(), re.M))
    in_db = set(psql(stack, "epart", "SELECT proname FROM pg_proc "
                                     "WHERE pronamespace = 'public'::regnamespace").split())
    assert in_db == names


def test_an_old_database_migrates_to_the_same_schema_as_a_new_one(stack, old_db):
    assert "applied sql/functions" in old_db["log"]
    old, new = catalogue(stack, old_db["name"]), catalogue(stack, "epart")
    for part in new:
        assert old[part] == new[part], part
    assert "epart_apply_dossier_creates(jsonb_build_array(e))" in old["functions"]


def test_an_old_database_keeps_its_data_and_documents(stack, old_db):
    name = old_db["name"]
    assert psql(stack, name, old_db["doc_sql"]) == old_db["before"]
    doc = json.loads(old_db["before"])
    assert doc["deposit_date"] == "2026-11-20" and doc["deadlines"][0]["clock"] == "transmission"
    # the new single-entry function (the batch's statement) on the migrated data
    did, e = create_entry(old_db["org"])
    lit = sql_literal(e)
    assert psql(stack, name, "SELECT epart_apply_dossier_create(%s::jsonb)" % lit) == "applied"
    assert psql(stack, name, "SELECT epart_apply_dossier_create(%s::jsonb)" % lit) == "duplicate"
    assert psql(stack, name, "SELECT count(*) FROM dossier_events WHERE dossier_id = '%s'"
                % did) == "1"


def test_a_large_dossier_is_compressed_with_lz4_after_migrating(stack, old_db):
    """sql/022: the documents over the TOAST threshold are compressed with lz4, on a
    migrated database as on a new one; values stored before keep pglz and read alike."""
    name = old_db["name"]
    assert psql(stack, name, "SELECT DISTINCT pg_column_compression(applicant) "
                "FROM dossiers") in ("", "pglz")
    did, e = create_entry(old_db["org"])
    # twelve pieces with long names, as a partner's dossier has: several KB
    e["body"]["pieces"] = [{"kind": "identite", "filename": "piece-%02d-%s.pdf" % (i, "x" * 300),
                            "sha256": "%064x" % i} for i in range(12)]
    assert psql(stack, name, "SELECT epart_apply_dossier_create(%s::jsonb)"
                % sql_literal(e)) == "applied"
    assert psql(stack, name, "SELECT pg_column_compression(pieces) FROM dossiers "
                "WHERE id = '%s'" % did) == "lz4"
    assert json.loads(psql(stack, name, "SELECT pieces FROM dossiers WHERE id = '%s'"
                           % did)) == e["body"]["pieces"]
    assert psql(stack, name, old_db["doc_sql"]) == old_db["before"]


def test_migrating_again_changes_nothing(stack, old_db):
    before = catalogue(stack, old_db["name"])
    out = migrate(stack, old_db["name"], SQL)
    assert "epart: applied 0" not in out.stderr  # no numbered migration ran again
    assert "applied sql/functions" in out.stderr
    assert catalogue(stack, old_db["name"]) == before


# ---- the deposit date (SPEC §4, common/dossier_life.c) as the documents show it ----

def persisted(stack, partner, did):
    assert wait_for(lambda: stack.psql("SELECT 1 FROM dossiers WHERE id = '%s'" % did))
    return partner.get("/v1/dossiers/" + did).json


def test_deposit_date_is_the_partners_only_for_an_ame_first_request_of_a_habilitated_org(
        stack, partner, ccas_org):
    # habilitated (a PASS), AME first request: the partner's date, before receipt too
    r = partner.post("/v1/dossiers", dossier_body("ame", first_request=True,
                                                  deposited_on="2026-11-19", transmit=False))
    assert r.status == 202, r
    d = persisted(stack, partner, r.json["id"])
    assert d["status"] == "depose" and d["deposit_date"] == "2026-11-19"
    # habilitated, AME renewal: the caisse's receipt, whatever the partner sent
    r = partner.post("/v1/dossiers", dossier_body("ame", first_request=False,
                                                  deposited_on="2026-11-19"))
    assert r.status == 202, r
    d = wait_for(lambda: (persisted(stack, partner, r.json["id"])
                          if stack.psql("SELECT received_on FROM dossiers WHERE id = '%s'"
                                        % r.json["id"]) else None))
    assert d["deposited_on"] == "2026-11-19" and d["received_on"] not in (None, "2026-11-19")
    assert d["deposit_date"] == d["received_on"]
    # not habilitated (a CCAS), PUMa: nothing before receipt, then the receipt
    ccas = stack.client(epart.partner_token(ccas_org["id"]))
    r = ccas.post("/v1/dossiers", dossier_body("puma", deposited_on="2026-11-19", transmit=False))
    assert r.status == 202, r
    did = r.json["id"]
    d = persisted(stack, ccas, did)
    assert d["deposited_on"] == "2026-11-19" and d["deposit_date"] is None
    assert ccas.post("/v1/dossiers/%s/transmit" % did).status == 202
    d = wait_for(lambda: (lambda x: x if x["status"] == "recu" else None)(
        ccas.get("/v1/dossiers/" + did).json))
    assert d["deposit_date"] == d["received_on"] and d["received_on"] != "2026-11-19"
    # and a CCAS may not send an AME first request at all
    r = ccas.post("/v1/dossiers", dossier_body("ame", first_request=True,
                                               deposited_on="2026-11-19"))
    assert r.status == 403, r
