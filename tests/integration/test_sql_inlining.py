"""The SQL functions that build documents are inlined by PostgreSQL's planner.

A LANGUAGE sql function whose body is one SELECT of an expression is replaced by
that expression at plan time, unless something forbids it; then it runs through
the SQL-function executor, which parses and plans its body again on every
execution of the statement calling it. A GET of a dossier is one prepared
statement run again and again: `epart_ts` declared IMMUTABLE around a STABLE
`to_char` was never inlined, and its parse and plan were about a third of
PostgreSQL's time per GET (docs/BENCHMARKS.md, reads). The test asks the
planner itself, for every such function of sql/functions, whether its call
survives planning."""
import re


def sql_functions(stack):
    rows = stack.psql(
        "SELECT p.proname || '|' || pg_get_function_arguments(p.oid) || '|' || "
        "replace(p.prosrc, E'\\n', ' ') FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
        "WHERE p.pronamespace = 'public'::regnamespace AND l.lanname = 'sql' "
        "AND NOT p.proretset AND p.prorettype <> 'void'::regtype ORDER BY 1")
    out = []
    for line in rows.splitlines():
        name, args, body = line.split("|", 2)
        out.append((name, [a.strip().split(" ", 1)[1] for a in args.split(",") if a.strip()],
                    body))
    return out


def single_expression(body):
    """One SELECT of an expression: no FROM, no sub-SELECT, no data change."""
    b = re.sub(r"'[^']*'", "''", body)  # strings say nothing of the shape
    return re.match(r"\s*SELECT\b", b, re.I) and len(re.findall(r"\bSELECT\b", b, re.I)) == 1 \
        and not re.search(r"\b(FROM|INSERT|UPDATE|DELETE)\b", b, re.I)


def test_every_single_expression_sql_function_is_inlined(stack):
    checked = []
    for name, types, body in sql_functions(stack):
        if not single_expression(body):
            continue
        # arguments that are not constants, so that nothing is folded away
        args = ", ".join("(CASE WHEN g > 0 THEN NULL END)::%s" % t for t in types)
        plan = stack.psql("EXPLAIN (VERBOSE, COSTS OFF) SELECT %s(%s) FROM generate_series(1, 2) g"
                          % (name, args))
        assert not re.search(r"\b%s\(" % name, plan), "%s is not inlined:\n%s" % (name, plan)
        checked.append(name)
    assert "epart_ts" in checked and "epart_event_doc" in checked \
        and "epart_dossier_fields" in checked, checked


def test_the_get_of_a_dossier_calls_no_sql_function(stack):
    """The prepared statement of store/dossiers.c dossiers_read: what is left of it
    after planning are the two PL/pgSQL functions, whose plans live for the session."""
    plan = stack.psql(
        "EXPLAIN (VERBOSE, COSTS OFF) SELECT epart_dossier_fields(d, true)::text, "
        "epart_deadlines_doc('dossier', d.id)::text, d.org_id, d.caisse, d.version "
        "FROM dossiers d WHERE d.id = gen_random_uuid()")
    called = set(re.findall(r"\b(epart_\w+)\(", plan))
    assert called == {"epart_history", "epart_deadlines_doc"}, plan
