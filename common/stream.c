/*
 * stream.c — building and reading the meta of a stream entry (stream.h).
 *
 * Why one file: the API wrote the meta in two ways and the actor in three, and
 * the worker read it by key strings in three files; a member renamed in one
 * place was silently absent in the others.
 */
#include "stream.h"

#include <stdio.h>
#include <string.h>

#include "jsonfast.h"

static bool copy(char *dst, size_t size, const char *src)
{
    size_t n = src != NULL ? strlen(src) : 0;

    if (n >= size)
        return false;
    memcpy(dst, src != NULL ? src : "", n);
    dst[n] = '\0';
    return true;
}

bool stream_actor_set(struct stream_actor *a, const char *sub, const char *role,
                      const char *org, const char *caisse)
{
    memset(a, 0, sizeof(*a));
    return copy(a->sub, sizeof(a->sub), sub) && copy(a->role, sizeof(a->role), role) &&
           copy(a->org, sizeof(a->org), org) && copy(a->caisse, sizeof(a->caisse), caisse);
}

/* Set key to the string s when it is not empty: false when out of memory. */
static bool set_str(json_t *o, const char *key, const char *s)
{
    return s[0] == '\0' || json_object_set_new(o, key, json_string(s)) == 0;
}

static bool set_date(json_t *o, const char *key, bool has, cal_date d)
{
    char buf[CAL_DATE_LEN];

    return json_object_set_new(o, key, has ? json_string(cal_format(d, buf)) : json_null()) == 0;
}

json_t *stream_actor_json(const struct stream_actor *a)
{
    json_t *o = json_object();

    if (o == NULL || json_object_set_new(o, "sub", json_string(a->sub)) < 0 ||
        json_object_set_new(o, "role", json_string(a->role)) < 0 ||
        !set_str(o, "org", a->org) || !set_str(o, "caisse", a->caisse)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *stream_meta_build(const struct stream_meta *m)
{
    json_t *o = json_object();
    char at[32];
    bool ok;

    if (o == NULL)
        return NULL;
    cal_format_instant((time_t)(m->received_at_us / 1000000), at);
    ok = json_object_set_new(o, "v", json_integer(STREAM_META_V)) == 0 &&
         set_str(o, "entry", m->entry) && set_str(o, "id", m->id) &&
         set_str(o, "reference", m->reference) && set_str(o, "org", m->org) &&
         set_str(o, "caisse", m->caisse) && set_str(o, "kind", m->kind) &&
         (!m->has_actor || json_object_set_new(o, "actor", stream_actor_json(&m->actor)) == 0) &&
         set_str(o, "remote", m->remote) && set_str(o, "status", m->status) &&
         set_str(o, "message_id", m->message_id) &&
         json_object_set_new(o, "received_at", json_string(at)) == 0 &&
         json_object_set_new(o, "received_at_us", json_integer((json_int_t)m->received_at_us)) ==
             0;
    if (ok && m->is_dossier_create)
        ok = json_object_set_new(o, "org_kind", json_string(m->org_kind)) == 0 &&
             json_object_set_new(o, "ame_habilitated", json_boolean(m->ame_habilitated)) == 0 &&
             set_date(o, "received_on", m->has_received_on, m->received_on) &&
             set_date(o, "ame_deposit_on", m->has_ame_deposit, m->ame_deposit_on);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The string member key of o into dst: true when absent (dst ""), false when
 * of another type or too long. */
static bool get_str(const json_t *o, const char *key, char *dst, size_t size)
{
    const json_t *v = json_object_get(o, key);

    dst[0] = '\0';
    if (v == NULL)
        return true;
    if (!json_is_string(v) || json_string_length(v) >= size ||
        strlen(json_string_value(v)) != json_string_length(v))
        return false;
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return true;
}

/* A date member: absent or null is no date; anything else must be a date. */
static bool get_date(const json_t *o, const char *key, bool *has, cal_date *d)
{
    const json_t *v = json_object_get(o, key);

    *has = false;
    if (v == NULL || json_is_null(v))
        return true;
    *has = json_is_string(v) && cal_parse(json_string_value(v), d);
    return *has;
}

static bool get_actor(const json_t *o, struct stream_meta *m)
{
    const json_t *a = json_object_get(o, "actor");

    m->has_actor = a != NULL;
    if (a == NULL)
        return true;
    return json_is_object(a) && get_str(a, "sub", m->actor.sub, sizeof(m->actor.sub)) &&
           get_str(a, "role", m->actor.role, sizeof(m->actor.role)) &&
           get_str(a, "org", m->actor.org, sizeof(m->actor.org)) &&
           get_str(a, "caisse", m->actor.caisse, sizeof(m->actor.caisse));
}

enum stream_meta_rc stream_meta_parse(const char *text, size_t len, struct stream_meta *m)
{
    json_t *o = text != NULL ? json_loadb_fast(text, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    const json_t *v, *us, *hab;
    enum stream_meta_rc rc = STREAM_META_MALFORMED;

    memset(m, 0, sizeof(*m));
    if (!json_is_object(o))
        goto out;
    v = json_object_get(o, "v");
    if (!json_is_integer(v))
        goto out;
    if (json_integer_value(v) != STREAM_META_V) {
        json_int_t n = json_integer_value(v);

        m->v = n > INT32_MAX ? INT32_MAX : n < INT32_MIN ? INT32_MIN : (int)n;
        rc = STREAM_META_UNKNOWN_VERSION;
        goto out;
    }
    m->v = STREAM_META_V;
    us = json_object_get(o, "received_at_us");
    hab = json_object_get(o, "ame_habilitated");
    if (!get_str(o, "entry", m->entry, sizeof(m->entry)) ||
        !get_str(o, "id", m->id, sizeof(m->id)) || m->id[0] == '\0' ||
        !get_str(o, "reference", m->reference, sizeof(m->reference)) ||
        !get_str(o, "org", m->org, sizeof(m->org)) ||
        !get_str(o, "caisse", m->caisse, sizeof(m->caisse)) || !get_actor(o, m) ||
        !get_str(o, "remote", m->remote, sizeof(m->remote)) ||
        !get_str(o, "status", m->status, sizeof(m->status)) ||
        !get_str(o, "kind", m->kind, sizeof(m->kind)) ||
        !get_str(o, "message_id", m->message_id, sizeof(m->message_id)) ||
        !get_str(o, "org_kind", m->org_kind, sizeof(m->org_kind)) ||
        (us != NULL && !json_is_integer(us)) || (hab != NULL && !json_is_boolean(hab)) ||
        !get_date(o, "received_on", &m->has_received_on, &m->received_on) ||
        !get_date(o, "ame_deposit_on", &m->has_ame_deposit, &m->ame_deposit_on))
        goto out;
    m->has_received_at_us = us != NULL;
    m->received_at_us = us != NULL ? (int64_t)json_integer_value(us) : 0;
    m->ame_habilitated = json_is_true(hab);
    m->is_dossier_create = json_object_get(o, "org_kind") != NULL || hab != NULL ||
                           json_object_get(o, "received_on") != NULL ||
                           json_object_get(o, "ame_deposit_on") != NULL;
    rc = STREAM_META_OK;
out:
    json_decref(o);
    return rc;
}

bool stream_meta_object_id(const char *text, size_t len, char id[STREAM_ID_MAX + 1])
{
    json_t *o = text != NULL ? json_loadb_fast(text, len, 0, NULL) : NULL;
    bool ok = json_is_object(o) && get_str(o, "id", id, STREAM_ID_MAX + 1) && id[0] != '\0';

    json_decref(o);
    if (!ok)
        id[0] = '\0';
    return ok;
}

bool stream_pending_key(char buf[STREAM_PENDING_KEY_MAX + 1], const char *id)
{
    int n = snprintf(buf, STREAM_PENDING_KEY_MAX + 1, STREAM_PENDING_PREFIX "%s", id);

    return n >= 0 && n <= (int)STREAM_PENDING_KEY_MAX;
}

/* key set to the string s, null when s is empty: false when out of memory. */
static bool set_str_or_null(json_t *o, const char *key, const char *s)
{
    return json_object_set_new(o, key, s[0] != '\0' ? json_string(s) : json_null()) == 0;
}

bool stream_meta_doc(const struct stream_meta *m, json_t *doc)
{
    char at[32];

    return set_str_or_null(doc, "id", m->id) && set_str(doc, "kind", m->kind) &&
           set_str_or_null(doc, "reference", m->reference) &&
           set_str_or_null(doc, "org", m->org) && set_str_or_null(doc, "caisse", m->caisse) &&
           set_str_or_null(doc, "status", m->status) &&
           json_object_set_new(doc, "received_at",
                               m->has_received_at_us
                                   ? json_string(cal_format_instant(
                                         (time_t)(m->received_at_us / 1000000), at))
                                   : json_null()) == 0;
}
