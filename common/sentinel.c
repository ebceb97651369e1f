/*
 * sentinel.c — reading Sentinel's and Redis's replies (see sentinel.h).
 */
#include "sentinel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_text(const redisReply *r)
{
    return r != NULL && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS);
}

static bool parse_port(const char *s, int *port)
{
    char *end;
    long p;

    if (s == NULL || s[0] == '\0')
        return false;
    p = strtol(s, &end, 10);
    if (*end != '\0' || p < 1 || p > 65535)
        return false;
    *port = (int)p;
    return true;
}

bool sentinel_master_addr(const redisReply *r, struct hostport *out)
{
    if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
        !is_text(r->element[0]) || !is_text(r->element[1]))
        return false;
    if (r->element[0]->len == 0 || r->element[0]->len >= sizeof(out->host))
        return false;
    if (!parse_port(r->element[1]->str, &out->port))
        return false;
    memcpy(out->host, r->element[0]->str, r->element[0]->len);
    out->host[r->element[0]->len] = '\0';
    return true;
}

static const char *field(const redisReply *flat, const char *name)
{
    for (size_t i = 0; i + 1 < flat->elements; i += 2)
        if (is_text(flat->element[i]) && is_text(flat->element[i + 1]) &&
            strcmp(flat->element[i]->str, name) == 0)
            return flat->element[i + 1]->str;
    return NULL;
}

/* flags is a comma-separated list ("slave", "s_down,slave", …) */
static bool has_flag(const char *flags, const char *flag)
{
    size_t n = strlen(flag);

    for (const char *p = flags; p != NULL && *p != '\0';) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);

        if (len == n && strncmp(p, flag, n) == 0)
            return true;
        p = comma ? comma + 1 : NULL;
    }
    return false;
}

int sentinel_healthy_replicas(const redisReply *r)
{
    int healthy = 0;

    if (r == NULL || r->type != REDIS_REPLY_ARRAY)
        return -1;
    for (size_t i = 0; i < r->elements; i++) {
        const redisReply *flat = r->element[i];
        const char *flags, *link;

        if (flat->type != REDIS_REPLY_ARRAY || flat->elements % 2 != 0)
            return -1;
        flags = field(flat, "flags");
        link = field(flat, "master-link-status");
        if (flags == NULL)
            return -1;
        if (has_flag(flags, "s_down") || has_flag(flags, "o_down") ||
            has_flag(flags, "disconnected"))
            continue;
        if (link == NULL || strcmp(link, "ok") != 0)
            continue;
        healthy++;
    }
    return healthy;
}

int sentinel_required_acks(int healthy)
{
    return healthy > 1 ? healthy : 1;
}

bool sentinel_switch_master(const redisReply *msg, const char *name, struct hostport *to)
{
    char nm[128], old_ip[HOSTLIST_HOST_LEN], new_ip[HOSTLIST_HOST_LEN], extra[2];
    int old_port, new_port;

    if (msg == NULL || msg->type != REDIS_REPLY_ARRAY || msg->elements != 3 ||
        !is_text(msg->element[0]) || !is_text(msg->element[1]) || !is_text(msg->element[2]))
        return false;
    if (strcmp(msg->element[0]->str, "message") != 0 ||
        strcmp(msg->element[1]->str, "+switch-master") != 0)
        return false;
    if (sscanf(msg->element[2]->str, "%127s %255s %d %255s %d %1s", nm, old_ip, &old_port,
               new_ip, &new_port, extra) != 5)
        return false;
    if (strcmp(nm, name) != 0 || new_port < 1 || new_port > 65535)
        return false;
    snprintf(to->host, sizeof(to->host), "%s", new_ip);
    to->port = new_port;
    return true;
}

bool sentinel_role_is_master(const redisReply *r)
{
    return r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
           is_text(r->element[0]) && strcmp(r->element[0]->str, "master") == 0;
}

bool sentinel_error_rediscover(const char *err)
{
    static const char *const codes[] = {"READONLY", "UNBLOCKED", "MASTERDOWN", "LOADING",
                                        "NOREPLICAS"};

    if (err == NULL)
        return false;
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        size_t n = strlen(codes[i]);

        if (strncmp(err, codes[i], n) == 0 && (err[n] == ' ' || err[n] == '\0'))
            return true;
    }
    return false;
}
