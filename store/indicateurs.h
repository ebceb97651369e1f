/*
 * indicateurs.h — the read of the COPIL indicators (SPEC §9, GET
 * /v1/indicateurs), one statement over the tables organisations, dossiers,
 * dossier_events, requests and deadlines: a read of its own rather than any
 * one table's. The conventions of store/ are at the top of store/deadlines.h;
 * what each figure means is docs/indicateurs.md.
 *
 * PostgreSQL computes everything at once (aggregates with FILTER,
 * percentile_cont, GROUPING SETS for the per-organisation rows and the total),
 * so the totals are always the sum of the organisations' counts. The figures
 * read only what the retention purge keeps (statuses, dates, history,
 * deadlines), so purged dossiers are still counted.
 */
#ifndef EPART_STORE_INDICATEURS_H
#define EPART_STORE_INDICATEURS_H

#include <libpq-fe.h>

/* The columns of indicateurs_read()'s rows. */
enum indicateurs_col {
    INDICATEURS_KEY,          /* the organisation's id, or "total" */
    INDICATEURS_NAME,         /* the organisation's (empty for the total) */
    INDICATEURS_KIND,
    INDICATEURS_CAISSE,
    INDICATEURS_DOSSIERS,     /* JSON: dossiers_transmitted, ame_first_requests,
                               * rights_opening_delay_days */
    INDICATEURS_SIGNALEMENTS, /* JSON: signalements */
    INDICATEURS_DEADLINES     /* JSON: deadlines */
};

/* The indicators of the period [00:00 of from, 00:00 of to + 1) in
 * Europe/Paris (from, to YYYY-MM-DD) for the organisations of the scope — org
 * (NULL: any), of caisse (NULL: any) — a clock counted breached only once its
 * due time came before now (the product's): the total's row first, then one
 * per organisation by name (columns above); none when the scope holds no
 * organisation. NULL on failure; the caller PQclear()s the rows. */
PGresult *indicateurs_read(PGconn *pg, const char *from, const char *to, const char *org,
                           const char *caisse, const char *now);

#endif
