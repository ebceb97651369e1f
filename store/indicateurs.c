/*
 * indicateurs.c — the statement of the COPIL indicators (indicateurs.h).
 *
 * Why here: the handler (api/resources/indicateurs.c) shapes the answer and
 * its CSV; the SQL, which reads five tables, is store/'s.
 */
#include "store/indicateurs.h"

#include "store/store.h"

/* {"n","mean","median","p90"} of the delays x (days, float8) of the rows
 * matching f. Statistics over no row are null; the rest are rounded to two
 * decimals (percentile_cont interpolates between the two nearest values). */
#define STATS(x, f)                                                                           \
    "json_build_object('n', count(" x ") FILTER (WHERE " f "), "                             \
    "'mean', trim_scale(round((avg(" x ") FILTER (WHERE " f "))::numeric, 2)), "              \
    "'median', trim_scale(round((percentile_cont(0.5) WITHIN GROUP (ORDER BY " x ") "         \
    "FILTER (WHERE " f "))::numeric, 2)), "                                                   \
    "'p90', trim_scale(round((percentile_cont(0.9) WITHIN GROUP (ORDER BY " x ") "            \
    "FILTER (WHERE " f "))::numeric, 2)))"

#define COUNT_IF(f) "count(*) FILTER (WHERE " f ")"

#define DEADLINE(clk)                                                                         \
    "'" clk "', json_build_object('met', " COUNT_IF("ee.clock = '" clk "' AND ee.met") ", "  \
    "'breached', " COUNT_IF("ee.clock = '" clk "' AND NOT ee.met") ")"

#define SIG_STATUS(s) "'" s "', " COUNT_IF("rr.status = '" s "'")

/* The CTE name: the figures doc (aggregates over the CTE rows, whose org_id
 * names their organisation) per organisation of the scope s and in total —
 * rows of (k, doc), k the organisation's id or 'total'. */
#define PER_ORG(name, rows, doc)                                                              \
    name " AS ("                                                                              \
    "  SELECT COALESCE(s.id::text, 'total') AS k, " doc " AS doc "                           \
    "  FROM s LEFT JOIN " rows " ON " rows ".org_id = s.id GROUP BY GROUPING SETS ((s.id), ()))"

/* The rows of table (as alias) of an organisation of the scope s, with the
 * period b at hand. */
#define IN_SCOPE(table, alias) table " " alias " JOIN s ON s.id = " alias ".org_id CROSS JOIN b"

/*
 * $1 from (date), $2 to (date), $3 organisation or NULL, $4 caisse or NULL,
 * $5 the product's now. The period is [00:00 of from, 00:00 of to + 1) in
 * Europe/Paris; "cut" is its end or now, whichever comes first (a clock is not
 * breached before its due time has come).
 */
static const char INDICATORS_SQL[] =
    "WITH b AS ("
    "  SELECT ($1::date)::timestamp AT TIME ZONE 'Europe/Paris' AS t0, "
    "         ($2::date + 1)::timestamp AT TIME ZONE 'Europe/Paris' AS t1, "
    "         LEAST(($2::date + 1)::timestamp AT TIME ZONE 'Europe/Paris', "
    "               $5::timestamptz) AS cut), "
    "s AS ("
    "  SELECT o.id FROM organisations o "
    "  WHERE ($3::uuid IS NULL OR o.id = $3::uuid) AND ($4::text IS NULL OR o.caisse = $4)), "
    /* dossiers received by the caisse in the period */
    "dd AS ("
    "  SELECT d.org_id, d.prestation, d.status, "
    "         (d.prestation = 'ame' AND d.first_request) AS ame1, "
    "         (d.received_on - d.ame_deposit_on)::float8 AS transmission_days, "
    "         CASE WHEN d.status = 'accorde' THEN (d.decided_on - d.received_on)::float8 END "
    "             AS opening_days, "
    "         EXISTS (SELECT 1 FROM dossier_events e WHERE e.dossier_id = d.id "
    "                 AND e.to_status = 'pieces_demandees') AS had_pieces "
    "  FROM dossiers d JOIN s ON s.id = d.org_id "
    "  WHERE d.received_on BETWEEN $1::date AND $2::date), "
    PER_ORG("ds", "dd", "json_build_object("
    "    'dossiers_transmitted', json_build_object("
    "        'total', count(dd.org_id), "
    "        'puma', " COUNT_IF("dd.prestation = 'puma'") ", "
    "        'css', " COUNT_IF("dd.prestation = 'css'") ", "
    "        'ame', " COUNT_IF("dd.prestation = 'ame'") "), "
    "    'ame_first_requests', json_build_object("
    "        'transmitted', " COUNT_IF("dd.ame1") ", "
    "        'transmission_delay_days', " STATS("dd.transmission_days", "dd.ame1") ", "
    "        'outcomes', json_build_object("
    "            'accord', " COUNT_IF("dd.ame1 AND dd.status = 'accorde'") ", "
    "            'refus', " COUNT_IF("dd.ame1 AND dd.status = 'refuse'") ", "
    "            'pieces_demandees', " COUNT_IF("dd.ame1 AND dd.had_pieces") ", "
    "            'sans_suite', " COUNT_IF("dd.ame1 AND dd.status = 'sans_suite'") ", "
    "            'pending', " COUNT_IF("dd.ame1 AND dd.status NOT IN "
                                       "('accorde', 'refuse', 'sans_suite')") "), "
    "        'rights_opening_delay_days', " STATS("dd.opening_days", "dd.ame1") "), "
    "    'rights_opening_delay_days', json_build_object("
    "        'puma', " STATS("dd.opening_days", "dd.prestation = 'puma'") ", "
    "        'css', " STATS("dd.opening_days", "dd.prestation = 'css'") "))") ", "
    /* signalements (orientations MisAS) received in the period */
    "rr AS ("
    "  SELECT r.org_id, r.status FROM " IN_SCOPE("requests", "r") " "
    "  WHERE r.kind = 'signalement' AND r.created_at >= b.t0 AND r.created_at < b.t1), "
    PER_ORG("rs", "rr", "json_build_object('signalements', "
    "    json_build_object('received', count(rr.org_id), 'by_status', json_build_object("
    "      " SIG_STATUS("recu") ", " SIG_STATUS("pris_en_charge") ", "
    "      " SIG_STATUS("en_cours") ", " SIG_STATUS("soins_realises") ", "
    "      " SIG_STATUS("non_pertinent") ", " SIG_STATUS("abandon") ")))") ", "
    /* clocks stopped in the period (met when stopped before their due time),
     * and clocks still running at its end past their due time (breached);
     * a suspended clock has no due time until the pieces arrive */
    "ee AS ("
    "  SELECT x.org_id, x.clock, "
    "         COALESCE(x.stopped_at >= b.t0 AND x.stopped_at < b.t1 "
    "                  AND x.stopped_at < x.due_at, false) AS met "
    "  FROM " IN_SCOPE("deadlines", "x") " "
    "  WHERE (x.stopped_at >= b.t0 AND x.stopped_at < b.t1) "
    "     OR ((x.stopped_at IS NULL OR x.stopped_at >= b.cut) AND x.suspended_on IS NULL "
    "         AND x.due_at <= b.cut)), "
    PER_ORG("es", "ee", "json_build_object('deadlines', "
    "    json_build_object(" DEADLINE("instruction") ", " DEADLINE("transmission") ", "
    "                       " DEADLINE("prise_en_charge") ", " DEADLINE("rappel") "))") " "
    "SELECT ds.k, o.name, o.kind, o.caisse, ds.doc::text, rs.doc::text, es.doc::text "
    "FROM ds JOIN rs USING (k) JOIN es USING (k) "
    "LEFT JOIN organisations o ON o.id::text = ds.k "
    "ORDER BY ds.k <> 'total', o.name, o.seq";

PGresult *indicateurs_read(PGconn *pg, const char *from, const char *to, const char *org,
                           const char *caisse, const char *now)
{
    return STORE_EXEC(pg, INDICATORS_SQL, from, to, org, caisse, now);
}
