/*
 * test_stream.c — the meta of a stream entry (common/stream.h): what the API
 * builds the worker reads back whole; an unknown version is told apart from a
 * malformed meta; hostile metas are refused without overflow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "stream.h"

#define ID "0b7c2f6e-1d2a-4c3b-9e8f-0a1b2c3d4e5f"
#define ORG "7e1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

static enum stream_meta_rc parse(const char *text, struct stream_meta *m)
{
    return stream_meta_parse(text, strlen(text), m);
}

static char *built_text(const struct stream_meta *m)
{
    json_t *o = stream_meta_build(m);
    char *t = json_text(o);

    json_decref(o);
    assert_non_null(t);
    return t;
}

static void test_dossier_create_round_trip(void **state)
{
    struct stream_meta m = {0}, back;
    char *t;

    (void)state;
    strcpy(m.entry, ID);
    strcpy(m.id, ID);
    strcpy(m.reference, "@REF@");
    strcpy(m.org, ORG);
    strcpy(m.caisse, "171");
    m.has_actor = true;
    assert_true(stream_actor_set(&m.actor, "client-1", "partner", ORG, NULL));
    strcpy(m.remote, "127.0.0.1");
    strcpy(m.status, "recu");
    m.has_received_at_us = true;
    m.received_at_us = 1764633600123456LL;
    m.is_dossier_create = true;
    strcpy(m.org_kind, "pass_ville");
    m.ame_habilitated = true;
    m.has_received_on = true;
    m.received_on = (cal_date){2025, 12, 2};
    m.has_ame_deposit = true;
    m.ame_deposit_on = (cal_date){2025, 11, 28};
    t = built_text(&m);
    /* the keys the SQL functions read keep their names */
    assert_non_null(strstr(t, "\"v\":1"));
    assert_non_null(strstr(t, "\"received_at\":\"2025-12-02T00:00:00Z\""));
    assert_non_null(strstr(t, "\"ame_deposit_on\":\"2025-11-28\""));
    assert_non_null(strstr(t, "\"actor\":{\"sub\":\"client-1\",\"role\":\"partner\",\"org\":\"" ORG
                              "\"}"));
    assert_int_equal(parse(t, &back), STREAM_META_OK);
    assert_int_equal(back.v, STREAM_META_V);
    assert_string_equal(back.entry, m.entry);
    assert_string_equal(back.id, m.id);
    assert_string_equal(back.reference, m.reference);
    assert_string_equal(back.org, m.org);
    assert_string_equal(back.caisse, m.caisse);
    assert_true(back.has_actor);
    assert_string_equal(back.actor.sub, "client-1");
    assert_string_equal(back.actor.role, "partner");
    assert_string_equal(back.actor.org, ORG);
    assert_string_equal(back.actor.caisse, "");
    assert_string_equal(back.remote, m.remote);
    assert_string_equal(back.status, m.status);
    assert_true(back.has_received_at_us);
    assert_int_equal(back.received_at_us, m.received_at_us);
    assert_true(back.is_dossier_create);
    assert_string_equal(back.org_kind, "pass_ville");
    assert_true(back.ame_habilitated);
    assert_true(back.has_received_on && cal_cmp(back.received_on, m.received_on) == 0);
    assert_true(back.has_ame_deposit && cal_cmp(back.ame_deposit_on, m.ame_deposit_on) == 0);
    free(t);
}

static void test_action_has_no_dossier_members(void **state)
{
    struct stream_meta m = {0}, back;
    char *t;

    (void)state;
    strcpy(m.entry, ID);
    strcpy(m.id, ID);
    strcpy(m.message_id, ID);
    m.has_actor = true;
    assert_true(stream_actor_set(&m.actor, "agent", "instructor", NULL, "171"));
    m.has_received_at_us = true;
    m.received_at_us = 5;
    t = built_text(&m);
    assert_null(strstr(t, "received_on"));
    assert_null(strstr(t, "status"));
    assert_null(strstr(t, "\"org\""));
    assert_int_equal(parse(t, &back), STREAM_META_OK);
    assert_false(back.is_dossier_create);
    assert_string_equal(back.actor.caisse, "171");
    assert_string_equal(back.actor.org, "");
    assert_string_equal(back.message_id, ID);
    free(t);
}

static void test_unknown_version_is_not_malformed(void **state)
{
    struct stream_meta m;

    (void)state;
    assert_int_equal(parse("{\"v\":2,\"id\":\"" ID "\"}", &m), STREAM_META_UNKNOWN_VERSION);
    assert_int_equal(m.v, 2);
    assert_int_equal(parse("{\"v\":0,\"id\":\"x\"}", &m), STREAM_META_UNKNOWN_VERSION);
    assert_int_equal(parse("{\"v\":99999999999,\"id\":\"x\"}", &m), STREAM_META_UNKNOWN_VERSION);
    assert_int_equal(m.v, INT32_MAX);
    /* no version, or not an integer: malformed (retried, then dead-lettered) */
    assert_int_equal(parse("{\"id\":\"x\"}", &m), STREAM_META_MALFORMED);
    assert_int_equal(parse("{\"v\":\"1\",\"id\":\"x\"}", &m), STREAM_META_MALFORMED);
    assert_int_equal(parse("{\"v\":1.0,\"id\":\"x\"}", &m), STREAM_META_MALFORMED);
}

static void test_hostile_metas(void **state)
{
    static const char *bad[] = {
        "",
        "null",
        "[]",
        "{\"v\":1}",                                  /* no id */
        "{\"v\":1,\"id\":\"\"}",                      /* empty id */
        "{\"v\":1,\"id\":7}",                         /* wrong type */
        "{\"v\":1,\"id\":\"x\",\"org\":[]}",
        "{\"v\":1,\"id\":\"x\",\"actor\":\"me\"}",
        "{\"v\":1,\"id\":\"x\",\"actor\":{\"sub\":1}}",
        "{\"v\":1,\"id\":\"x\",\"received_at_us\":\"1\"}",
        "{\"v\":1,\"id\":\"x\",\"ame_habilitated\":1}",
        "{\"v\":1,\"id\":\"x\",\"received_on\":\"2025-02-30\"}",
        "{\"v\":1,\"id\":\"x\",\"ame_deposit_on\":5}",
        "{\"v\":1,\"id\":\"x\",\"id\":\"y\"}",        /* duplicate member */
        "{\"v\":1,\"id\":\"a\\u0000b\"}",             /* NUL inside */
        "{\"v\":1,\"id\":\"x\"",                      /* truncated */
        "{\"v\":1,\"id\":\"x\"} {}",                  /* trailing value */
    };
    struct stream_meta m;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(parse(bad[i], &m), STREAM_META_MALFORMED);
    assert_int_equal(stream_meta_parse(NULL, 0, &m), STREAM_META_MALFORMED);
}

static void test_too_long_texts(void **state)
{
    char text[1200], sub[STREAM_SUB_MAX + 2];
    struct stream_meta m;
    struct stream_actor a;

    (void)state;
    memset(sub, 's', sizeof(sub) - 1);
    sub[sizeof(sub) - 1] = '\0';
    snprintf(text, sizeof(text), "{\"v\":1,\"id\":\"x\",\"actor\":{\"sub\":\"%s\"}}", sub);
    assert_int_equal(parse(text, &m), STREAM_META_MALFORMED);
    assert_false(stream_actor_set(&a, sub, "partner", NULL, NULL));
    sub[STREAM_SUB_MAX] = '\0'; /* exactly the longest */
    snprintf(text, sizeof(text), "{\"v\":1,\"id\":\"x\",\"actor\":{\"sub\":\"%s\"}}", sub);
    assert_int_equal(parse(text, &m), STREAM_META_OK);
    assert_int_equal(strlen(m.actor.sub), STREAM_SUB_MAX);
    assert_true(stream_actor_set(&a, sub, "partner", NULL, NULL));
}

static void test_unknown_members_ignored(void **state)
{
    struct stream_meta m;

    (void)state;
    assert_int_equal(parse("{\"v\":1,\"id\":\"" ID "\",\"later\":{\"x\":[1]}}", &m),
                     STREAM_META_OK);
    assert_string_equal(m.id, ID);
    assert_false(m.has_actor);
    assert_false(m.has_received_at_us);
}

static void test_object_id_of_any_version(void **state)
{
    char id[STREAM_ID_MAX + 1];
    const char *v9 = "{\"v\":9,\"id\":\"" ID "\"}";

    (void)state;
    assert_true(stream_meta_object_id(v9, strlen(v9), id));
    assert_string_equal(id, ID);
    assert_false(stream_meta_object_id("{\"v\":1}", 7, id));
    assert_string_equal(id, "");
    assert_false(stream_meta_object_id("nope", 4, id));
}

/* The pending record's key, and the members a pending document takes from
 * the meta: the API's GETs show what the ingest wrote. */
static void test_pending_key_and_doc(void **state)
{
    char key[STREAM_PENDING_KEY_MAX + 1], long_id[STREAM_ID_MAX + 2];
    struct stream_meta m = {0};
    json_t *doc = json_object();

    (void)state;
    assert_true(stream_pending_key(key, ID));
    assert_string_equal(key, "epart:pending:" ID);
    memset(long_id, 'a', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';
    assert_false(stream_pending_key(key, long_id));
    long_id[STREAM_ID_MAX] = '\0';
    assert_true(stream_pending_key(key, long_id));

    snprintf(m.id, sizeof(m.id), "%s", ID);
    snprintf(m.org, sizeof(m.org), "%s", ORG);
    snprintf(m.caisse, sizeof(m.caisse), "171");
    snprintf(m.status, sizeof(m.status), "recu");
    snprintf(m.reference, sizeof(m.reference), "EP-20261202-0000001");
    m.has_received_at_us = true;
    m.received_at_us = 1764669600123456; /* 2025-12-02T10:00:00.123456Z */
    assert_true(stream_meta_doc(&m, doc));
    assert_string_equal(json_str(doc, "id"), ID);
    assert_string_equal(json_str(doc, "org"), ORG);
    assert_string_equal(json_str(doc, "caisse"), "171");
    assert_string_equal(json_str(doc, "status"), "recu");
    assert_string_equal(json_str(doc, "reference"), "EP-20261202-0000001");
    assert_string_equal(json_str(doc, "received_at"), "2025-12-02T10:00:00Z");
    assert_null(json_object_get(doc, "kind")); /* a dossier has none */
    json_decref(doc);

    /* a request: its kind; an absent member is null, not left out */
    doc = json_object();
    snprintf(m.kind, sizeof(m.kind), "signalement");
    m.reference[0] = '\0';
    m.has_received_at_us = false;
    assert_true(stream_meta_doc(&m, doc));
    assert_string_equal(json_str(doc, "kind"), "signalement");
    assert_true(json_is_null(json_object_get(doc, "reference")));
    assert_true(json_is_null(json_object_get(doc, "received_at")));
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dossier_create_round_trip),
        cmocka_unit_test(test_action_has_no_dossier_members),
        cmocka_unit_test(test_unknown_version_is_not_malformed),
        cmocka_unit_test(test_hostile_metas),
        cmocka_unit_test(test_too_long_texts),
        cmocka_unit_test(test_unknown_members_ignored),
        cmocka_unit_test(test_object_id_of_any_version),
        cmocka_unit_test(test_pending_key_and_doc),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
