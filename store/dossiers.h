/*
 * dossiers.h — the SQL of the table dossiers (SPEC §4), its one home: the
 * statements that write a dossier, lock it, read its document and list it,
 * for the API's handlers and the workers alike. The conventions of store/ are
 * at the top of store/deadlines.h; the document itself is built by
 * epart_dossier_doc (sql/functions/20_dossiers.sql).
 *
 * What a dossier's creation writes (the row, its history, its deadlines, its
 * alerts) is epart_apply_dossier_creates, called by worker/persist.c with the
 * entries it prepared.
 */
#ifndef EPART_STORE_DOSSIERS_H
#define EPART_STORE_DOSSIERS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

/* SQL: apply one dossier.create entry, $1 its argument (a JSON text that
 * worker/persist.c prepares), or a run of them at once, $1 the array of their
 * arguments; the worker sends them in its pipeline. */
#define DOSSIERS_SQL_APPLY_CREATE "SELECT epart_apply_dossier_create($1::jsonb)"
#define DOSSIERS_SQL_APPLY_CREATES "SELECT epart_apply_dossier_creates($1::jsonb)"

/* The columns of dossiers_lock()'s row. */
enum dossiers_lock_col {
    DOSSIER_STATUS,
    DOSSIER_ORG,
    DOSSIER_CAISSE,
    DOSSIER_REFERENCE,
    DOSSIER_REQUESTED_ON, /* the open pieces request's requested_on, NULL if none */
    DOSSIER_VERSION
};

/* The dossier id's row (columns above), locked FOR UPDATE when lock is true
 * (the caller's transaction then holds it until COMMIT). The result, with no
 * row when there is no such dossier, or NULL on failure; the caller
 * PQclear()s it. */
PGresult *dossiers_lock(PGconn *pg, const char *id, bool lock);

/* The columns of dossiers_facts()'s row. */
enum dossiers_facts_col {
    FACT_STATUS,
    FACT_VERSION,
    FACT_PRESTATION,
    FACT_SITUATION, /* JSON text */
    FACT_PIECES,    /* JSON text */
    FACT_RECEIVED_ON,
    FACT_AME_DEPOSIT_ON
};

/* What the rights and the pre-instruction are computed from (columns above),
 * the row locked FOR UPDATE — in caisse only, unless caisse is NULL. One row,
 * or none when there is no such dossier; NULL on failure; the caller
 * PQclear()s the result. */
PGresult *dossiers_facts(PGconn *pg, const char *id, const char *caisse);

/* 1 when the dossier id is there, 0 when not (yet), -1 on failure. */
int dossiers_exists(PGconn *pg, const char *id);

/* The dossier's document with its history (epart_dossier_doc), NULL when
 * there is none — in caisse only, unless caisse is NULL. On failure NULL with
 * *failed set. */
json_t *dossiers_doc(PGconn *pg, const char *id, const char *caisse, bool *failed);

/* The columns of dossiers_read()'s row. */
enum dossiers_read_col {
    READ_FIELDS,    /* epart_dossier_fields(d, true): the document but its deadlines */
    READ_DEADLINES, /* epart_deadlines_doc: its deadlines, raw (dossier_doc.h finishes them) */
    READ_ORG,
    READ_CAISSE,
    READ_VERSION
};

/* What a GET of the dossier id serves (columns above, dossier_doc_text() joins
 * them): one row, or none when there is no such dossier; NULL on failure; the
 * caller PQclear()s the result. */
PGresult *dossiers_read(PGconn *pg, const char *id);

/* Record a change of the dossier (epart_dossier_changed): its status from ->
 * to at instant at (from = to for an event that changes no status), its
 * version, the history event (actor and detail: JSON texts) and the webhook. */
int dossiers_changed(PGconn *pg, const char *id, const char *at, const char *actor,
                     const char *from, const char *to, const char *detail);

/* The dossier received by the caisse on day on, at instant at. */
int dossiers_set_received(PGconn *pg, const char *id, const char *on, const char *at);

/* The open pieces request of the dossier (a JSON text), or none (NULL). */
int dossiers_set_pieces_requested(PGconn *pg, const char *id, const char *request);

/* Append pieces (a JSON array text) to the dossier's pieces. */
int dossiers_add_pieces(PGconn *pg, const char *id, const char *pieces);

/* The dossier's pre-instruction (a JSON text). */
int dossiers_set_pre_instruction(PGconn *pg, const char *id, const char *pre);

/* The decision: decision, rights and simulation (JSON texts; rights NULL for
 * a refusal) on day decided_on. */
int dossiers_set_decision(PGconn *pg, const char *id, const char *decision, const char *rights,
                          const char *simulation, const char *decided_on);

/* The parameters of a list (dossiers_list, dossiers_counts), each a text or
 * NULL for "any": status, prestation, overdue at (an instant: only dossiers
 * with a deadline breached then), org, caisse, a fragment of the reference. */
enum { DOSSIERS_FILTER_N = 6 };

/* The columns of dossiers_list()'s rows. */
enum dossiers_list_col {
    LIST_FIELDS,    /* epart_dossier_fields(d, false): no history, no deadlines */
    LIST_SORT_US,   /* the sort key in microseconds */
    LIST_ID,
    LIST_ORG_NAME,
    LIST_DEADLINES, /* epart_deadlines_doc, as READ_DEADLINES */
    /* what the CSV shows besides (NULL as an empty text): */
    LIST_REFERENCE,
    LIST_PRESTATION,
    LIST_STATUS,
    LIST_RECEIVED_ON, /* YYYY-MM-DD */
    LIST_DECIDED_ON   /* YYYY-MM-DD */
};

/* A page of the list: rows of (columns above) after the key (key_us, key_id; NULL
 * for the first page), at most limit — newest first by creation, or (by_due)
 * by the next due time across the deadlines still running, dossiers with none
 * last. */
PGresult *dossiers_list(PGconn *pg, const char *const filter[DOSSIERS_FILTER_N], bool by_due,
                        const char *key_us, const char *key_id, const char *limit);

/* Rows of (status, count, count with a deadline breached at now) over the
 * filter's dossiers. */
PGresult *dossiers_counts(PGconn *pg, const char *const filter[DOSSIERS_FILTER_N],
                          const char *now);

#endif
