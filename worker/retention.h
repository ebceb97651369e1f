/*
 * retention.h — the retention purge of personal data (SPEC §10).
 *
 * Closed dossiers (accorde, refuse, sans_suite) and closed requests whose last
 * change is older than EPART_RETENTION_DAYS (730 by default) lose the person's
 * data: identity, situation, file names, free texts, message bodies. What the
 * caisse must still account for — statuses, dates, history, deadlines, alerts,
 * decisions — stays, so the COPIL indicators count purged dossiers as before.
 * See docs/donnees-personnelles.md.
 */
#ifndef EPART_WORKER_RETENTION_H
#define EPART_WORKER_RETENTION_H

#include <libpq-fe.h>

/* Run a purge pass when one is due: at most once a minute of the real clock,
 * or at once when the product's clock moved by a minute or more since the last
 * pass (the test clock jumps), or when the last pass left work behind. A pass
 * purges at most one batch of dossiers and one of requests, each in its own
 * transaction with FOR UPDATE SKIP LOCKED, so that several workers share the
 * work and the calling loop (the deadline scanner) is never held for long.
 * Logs counts only. Call from one thread only (it keeps its schedule in
 * static state). */
void retention_tick(PGconn *pg);

#endif
