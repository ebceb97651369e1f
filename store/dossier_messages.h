/*
 * dossier_messages.h — the SQL of the table dossier_messages (SPEC §4: the
 * messages between a partner and the caisse on a dossier), its one home: the
 * worker writes them (dossier.message entries), the API reads them. The
 * conventions of store/ are at the top of store/deadlines.h.
 */
#ifndef EPART_STORE_DOSSIER_MESSAGES_H
#define EPART_STORE_DOSSIER_MESSAGES_H

#include <libpq-fe.h>

/* Write message id on dossier dossier_id, at most once (an entry applied again
 * writes nothing), and announce it (the message.created webhook) when it was
 * written: author a JSON text, seq its order (the stream id of its entry, so
 * that messages read as they were sent whichever worker persists them first).
 * Nothing is written when the dossier is not there (yet): the caller checks
 * with dossiers_exists(). */
int dossier_messages_add(PGconn *pg, const char *id, const char *dossier_id, const char *seq,
                         const char *author, const char *body, const char *at);

/* A page of the dossier's messages, oldest first (a conversation reads in the
 * order it was written): rows of (document, seq, id) after the key (key_seq,
 * key_id; NULL for the first page), at most limit. NULL on failure; the caller
 * PQclear()s the result. */
PGresult *dossier_messages_page(PGconn *pg, const char *dossier_id, const char *key_seq,
                                const char *key_id, const char *limit);

/* The message id of the dossier: one row (its document) or none. */
PGresult *dossier_messages_get(PGconn *pg, const char *dossier_id, const char *id);

#endif
