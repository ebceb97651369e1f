/*
 * redis_conn.c — AUTH on the connections to Redis.
 */
#include "redis_conn.h"

#include <string.h>

#include "log.h"

static bool reply_ok(const redisReply *r)
{
    return r != NULL && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "OK") == 0;
}

bool redis_auth(redisContext *rc, const struct config *c)
{
    redisReply *r;
    bool ok;

    if (c == NULL || c->redis_password[0] == '\0')
        return true;
    r = redisCommand(rc, "AUTH %s %s", c->redis_user, c->redis_password);
    ok = reply_ok(r);
    if (!ok && r != NULL && r->type == REDIS_REPLY_ERROR)
        log_error("redis: authentication as %s refused: %.80s", c->redis_user, r->str);
    if (r != NULL)
        freeReplyObject(r);
    return ok;
}

static void on_auth(redisAsyncContext *ac, void *reply, void *privdata)
{
    const redisReply *r = reply;

    (void)privdata;
    if (r == NULL || reply_ok(r))
        return; /* NULL: the connection is going away anyway */
    if (r->type == REDIS_REPLY_ERROR)
        log_error("redis: authentication refused: %.80s", r->str);
    redisAsyncDisconnect(ac);
}

int redis_auth_async(redisAsyncContext *ac, const struct config *c)
{
    if (c == NULL || c->redis_password[0] == '\0')
        return 0;
    return redisAsyncCommand(ac, on_auth, NULL, "AUTH %s %s", c->redis_user,
                             c->redis_password) == REDIS_OK
               ? 0
               : -1;
}
