/*
 * alerts.c — the statements of the table alerts (alerts.h).
 */
#include "store/alerts.h"

int alerts_insert(PGconn *pg, const struct alerts_object *o, const char *alerts)
{
    return STORE_CMD(pg, "SELECT epart_insert_alerts($1, $2, $3, $4, $5, $6::jsonb)", o->type,
                     o->id, o->org, o->caisse, o->reference, alerts);
}
