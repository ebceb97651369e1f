/*
 * partnership_messages.c — the statements of the table partnership_messages
 * (partnership_messages.h).
 */
#include "store/partnership_messages.h"

json_t *partnership_messages_doc(PGconn *pg, const char *id, const char *org,
                                 const char *caisse, bool *failed)
{
    *failed = false;
    return STORE_FETCH_JSON(pg, failed,
                            "SELECT epart_partnership_message_doc(x)::text "
                            "FROM partnership_messages x WHERE x.id = $1 "
                            "AND ($2::uuid IS NULL OR x.org_id = $2::uuid) "
                            "AND ($3::text IS NULL OR x.caisse = $3)",
                            id, org, caisse);
}

PGresult *partnership_messages_insert(PGconn *pg, const struct partnership_messages_new *m)
{
    return STORE_EXEC(pg,
                      "INSERT INTO partnership_messages AS x (id, org_id, caisse, author, "
                      "subject, body, created_at) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7) "
                      "RETURNING epart_partnership_message_doc(x)::text",
                      m->id, m->org, m->caisse, m->author, m->subject, m->body, m->at);
}
