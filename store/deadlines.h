/*
 * deadlines.h — the SQL of the table deadlines (SPEC §6), its one home: every
 * statement that writes it and the predicates that read it, for the API's
 * database threads and the workers alike.
 *
 * Conventions of store/ (one file per table, docs/architecture.md):
 *   - each function runs one parameterised statement on the caller's
 *     connection, inside the caller's transaction (the caller BEGINs and
 *     COMMITs); it returns 0, or -1 on failure (logged by common/db.c), unless
 *     said otherwise;
 *   - the statement runs through store/store.h (STORE_CMD, STORE_EXEC,
 *     STORE_ROW…): the file writes only its SQL and its parameters;
 *   - instants are timestamptz texts (db_ts(), cal_format_instant()), dates
 *     YYYY-MM-DD texts; a NULL text is SQL NULL;
 *   - an object is (type, id): type 'dossier' or a request's kind
 *     (signalement, rendez_vous, demande_document), id its uuid;
 *   - what reads the table inside a larger statement (a list, a count) takes
 *     the predicate macros below, so that the rule is written once in SQL as
 *     deadline_state() (common/deadline.h) writes it in C.
 *   - a list of the API is a macro X_SQL_LIST taking the paging's SQL as
 *     arguments, with enum x_list_param naming its parameters
 *     (store/store.h); a read joining several tables for one endpoint has a
 *     file of its own (store/demandes.h, store/indicateurs.h).
 *
 * A deadline is one row per (object, clock); the clock is its kind
 * (instruction, transmission, prise_en_charge, rappel). next_fire_at is the
 * instant the scanner next looks at it, NULL while it is suspended or stopped
 * or once its breach has fired.
 */
#ifndef EPART_STORE_DEADLINES_H
#define EPART_STORE_DEADLINES_H

#include <libpq-fe.h>
#include <time.h>

#include "calendar.h"

/* SQL: true when a deadline of object (type, id) is breached at instant now —
 * running (neither stopped nor suspended) with its due time reached, or stopped
 * after it. type, id and now are SQL expressions (a column, a $n). */
#define DEADLINES_SQL_BREACHED(type, id, now)                                                  \
    "EXISTS (SELECT 1 FROM deadlines x WHERE x.object_type = " type " AND x.object_id = " id \
    " AND ((x.stopped_at IS NULL AND x.suspended_on IS NULL AND x.due_at <= " now ")"        \
    " OR x.stopped_at >= x.due_at))"

/* SQL: the next due time of object (type, id) among its running deadlines, or
 * 9999-12-31 when none runs (so that such objects sort last). */
#define DEADLINES_SQL_NEXT_DUE(type, id)                                                       \
    "COALESCE((SELECT min(x.due_at) FROM deadlines x WHERE x.object_type = " type             \
    " AND x.object_id = " id " AND x.stopped_at IS NULL AND x.suspended_on IS NULL),"        \
    " timestamptz '9999-12-31T00:00:00Z')"

/* Start the deadline clock of (type, id) from started_on (a date; NULL for an
 * hour clock) or started_at (an instant; NULL for a day clock), due at due_at,
 * first looked at next_fire_at. A deadline of that clock already there (an
 * entry applied again) is left alone. */
int deadlines_start(PGconn *pg, const char *type, const char *id, const char *org,
                    const char *caisse, const char *clock, const char *started_on,
                    const char *started_at, const char *due_at, const char *next_fire_at);

/* What deadlines_stop() stopped. */
struct deadline_stopped {
    time_t due_at;
    int fired_rank; /* the highest threshold it had fired (deadline.h) */
};

/* Stop the running deadline clock of (type, id) at instant at. Returns 1 and
 * fills *out when one was running, 0 when none was, -1 on failure. */
int deadlines_stop(PGconn *pg, const char *type, const char *id, const char *clock,
                   const char *at, struct deadline_stopped *out);

/* Stop every running deadline of (type, id) at instant at (a decision, a
 * closure, a final status). */
int deadlines_stop_all(PGconn *pg, const char *type, const char *id, const char *at);

/* Suspend the running deadline clock of (type, id) from date on (the pieces
 * requested): it fires nothing until resumed (deadlines_restart). */
int deadlines_suspend(PGconn *pg, const char *type, const char *id, const char *clock,
                      const char *on);

/* Lock the deadline clock of (type, id) (FOR UPDATE) and read its start and the
 * days it was suspended so far. Returns 1 when it exists with a start date,
 * 0 when not, -1 on failure. */
int deadlines_lock(PGconn *pg, const char *type, const char *id, const char *clock,
                   cal_date *started_on, int *suspended_days);

/* Give the deadline clock of (type, id) a new count: from started_on, with
 * suspended_days, due at due_at, running again (not suspended) with nothing
 * fired, next looked at next_fire_at. */
int deadlines_restart(PGconn *pg, const char *type, const char *id, const char *clock,
                      const char *started_on, int suspended_days, const char *due_at,
                      const char *next_fire_at);

/* Record that the deadline clock of (type, id) fired threshold rank. */
int deadlines_set_fired(PGconn *pg, const char *type, const char *id, const char *clock,
                        int rank);

/* The columns of deadlines_due()'s rows. */
enum deadlines_due_col {
    DUE_ROW_ID,   /* the row's id, for deadlines_fired() */
    DUE_TYPE,
    DUE_OBJECT_ID,
    DUE_ORG,
    DUE_CAISSE,
    DUE_CLOCK,
    DUE_AT,       /* RFC 3339 (epart_ts) */
    DUE_FIRED,    /* fired_rank */
    DUE_REFERENCE /* the dossier's or the request's, NULL if neither is there */
};

/* The scanner's work: at most limit deadlines whose next_fire_at has come by
 * now, soonest first, locked FOR UPDATE SKIP LOCKED (two scanners share them).
 * The result (columns above) or NULL on failure; the caller PQclear()s it. */
PGresult *deadlines_due(PGconn *pg, const char *now, int limit);

/* After the scanner looked at row row_id: its fired rank, and the instant to
 * look again (NULL: nothing is left to fire). */
int deadlines_fired(PGconn *pg, const char *row_id, int rank, const char *next_fire_at);

#endif
