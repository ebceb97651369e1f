/*
 * test_agent.c — the bodies of POST and PATCH /v1/agents (SPEC §13) and the
 * issuer URLs epart accepts.
 */
#include "errassert.h"

#include "agent.h"

static json_t *check(const char *body)
{
    json_t *b = J(body);
    json_t *errors = json_array();

    agent_check_keys(b, errors);
    agent_validate(b, errors);
    assert_err_shape(errors);
    json_decref(b);
    return errors;
}

static void test_valid(void **state)
{
    const char *ok[] = {
        "{\"email\":\"a@example.org\",\"role\":\"admin\"}",
        "{\"email\":\"a@example.org\",\"role\":\"instructor\",\"caisse\":\"171\",\"active\":false}",
        "{\"email\":\"a@example.org\",\"role\":\"partner\","
        "\"org\":\"6f1c2a4e-0000-4000-8000-000000000001\",\"name\":\"Camille Martin\"}",
        "{\"email\":\"a@example.org\",\"role\":\"admin\",\"issuer\":\"https://idp.fr/realms/x\","
        "\"sub\":\"248289761001\"}",
        "{\"email\":\"a@example.org\",\"role\":\"admin\",\"org\":null,\"caisse\":null,"
        "\"issuer\":null,\"sub\":null}",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        json_t *e = check(ok[i]);

        if (json_array_size(e) != 0) {
            err_dump(e);
            fail_msg("corps refusé : %s", ok[i]);
        }
        json_decref(e);
    }
}

static void test_everything_wrong(void **state)
{
    json_t *e = check("{\"email\":3,\"role\":\"root\",\"active\":\"yes\",\"id\":\"x\","
                      "\"password\":\"p\",\"name\":[],\"org\":\"x\",\"caisse\":\"1\"}");

    (void)state;
    assert_err(e, "email", "invalid_type");
    assert_err(e, "role", "invalid_enum");
    assert_err(e, "active", "invalid_type");
    assert_err(e, "id", "read_only");
    assert_err(e, "password", "unknown_field");
    assert_err(e, "name", "invalid_type");
    assert_err(e, "org", "invalid_format");
    assert_err(e, "caisse", "invalid_format");
    json_decref(e);
    e = check("{}");
    assert_err(e, "email", "required");
    assert_err(e, "role", "required");
    json_decref(e);
    e = check("[]");
    assert_err(e, "", "invalid_type");
    json_decref(e);
}

static void test_scope_follows_role(void **state)
{
    json_t *e;

    (void)state;
    e = check("{\"email\":\"a@b.fr\",\"role\":\"partner\",\"caisse\":\"171\"}");
    assert_err(e, "org", "required");
    assert_err(e, "caisse", "not_allowed");
    json_decref(e);
    e = check("{\"email\":\"a@b.fr\",\"role\":\"instructor\","
              "\"org\":\"6f1c2a4e-0000-4000-8000-000000000001\"}");
    assert_err(e, "caisse", "required");
    assert_err(e, "org", "not_allowed");
    json_decref(e);
    e = check("{\"email\":\"a@b.fr\",\"role\":\"admin\",\"caisse\":\"171\"}");
    assert_err(e, "caisse", "not_allowed");
    json_decref(e);
}

static void test_identity_pairs(void **state)
{
    json_t *e;

    (void)state;
    e = check("{\"email\":\"a@b.fr\",\"role\":\"admin\",\"issuer\":\"https://idp.fr\"}");
    assert_err(e, "sub", "required");
    json_decref(e);
    e = check("{\"email\":\"a@b.fr\",\"role\":\"admin\",\"sub\":\"x\"}");
    assert_err(e, "issuer", "required");
    json_decref(e);
    e = check("{\"email\":\"a@b.fr\",\"role\":\"admin\",\"issuer\":\"https://idp.fr\","
              "\"sub\":\"a\\u0001\"}");
    assert_err(e, "sub", "invalid_format");
    json_decref(e);
}

static void test_issuer_urls(void **state)
{
    const char *good[] = {"https://idp.example.org", "https://idp.example.org/realms/caisse",
                          "https://idp.example.org:8443/x", "http://127.0.0.1:9000",
                          "http://localhost:3000/oidc", "http://[::1]:80", "https://[2001:db8::1]"};
    const char *bad[] = {"http://idp.example.org", "ftp://idp.example.org", "https://",
                         "https://a@idp.example.org", "https://idp.example.org?x=1",
                         "https://idp.example.org#f", "https://idp.example.org:/x",
                         "https://idp.example.org:123456", "http://127.0.0.1.evil.org",
                         "http://localhost.evil.org", "https://idp example.org", "",
                         "https://idp.example.org\\@evil", "http://[::1", "javascript:alert(1)"};

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (!agent_issuer_ok(good[i]))
            fail_msg("émetteur refusé : %s", good[i]);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (agent_issuer_ok(bad[i]))
            fail_msg("émetteur accepté : %s", bad[i]);
    assert_false(agent_issuer_ok(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_everything_wrong),
        cmocka_unit_test(test_scope_follows_role),
        cmocka_unit_test(test_identity_pairs),
        cmocka_unit_test(test_issuer_urls),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
