/*
 * dossier_messages.c — the statements of the table dossier_messages
 * (dossier_messages.h).
 */
#include "store/dossier_messages.h"

#include "store/store.h"

int dossier_messages_add(PGconn *pg, const char *id, const char *dossier_id, const char *seq,
                         const char *author, const char *body, const char *at)
{
    return STORE_CMD(pg,
                     "WITH m AS (INSERT INTO dossier_messages (id, dossier_id, seq, author, "
                     "body, created_at) SELECT $1, d.id, $3::numeric, $4::jsonb, $5, $6 "
                     "FROM dossiers d WHERE d.id = $2 "
                     "ON CONFLICT (id) DO NOTHING RETURNING *) "
                     "SELECT epart_emit('message.created', d.org_id, d.caisse, "
                     "  epart_message_doc(ROW(m.*)::dossier_messages) "
                     "  || jsonb_build_object('reference', d.reference)) "
                     "FROM m JOIN dossiers d ON d.id = m.dossier_id",
                     id, dossier_id, seq, author, body, at);
}

PGresult *dossier_messages_page(PGconn *pg, const char *dossier_id, const char *key_seq,
                                const char *key_id, const char *limit)
{
    return STORE_EXEC(pg,
                      "SELECT epart_message_doc(m)::text, m.seq::bigint, m.id "
                      "FROM dossier_messages m WHERE m.dossier_id = $1 "
                      "AND ($2::bigint IS NULL OR (m.seq, m.id) > ($2::numeric, $3::uuid)) "
                      "ORDER BY m.seq, m.id LIMIT $4",
                      dossier_id, key_seq, key_id, limit);
}

PGresult *dossier_messages_get(PGconn *pg, const char *dossier_id, const char *id)
{
    return STORE_EXEC(pg,
                      "SELECT epart_message_doc(m)::text FROM dossier_messages m "
                      "WHERE m.dossier_id = $1 AND m.id = $2",
                      dossier_id, id);
}
