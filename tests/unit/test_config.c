/*
 * test_config.c — where the credentials of Redis and PostgreSQL come from
 * (variable, then _FILE, then secrets/ of the state directory) and how the
 * PostgreSQL password is quoted into the connection string.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

static char dir[64];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    char path[128];

    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/epart-config-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/secrets", dir);
    mkdir(path, 0700);
    setenv("EPART_STATE_DIR", dir, 1);
    setenv("EPART_JWT_SECRET", "0123456789abcdef0123456789abcdef", 1);
    unsetenv("EPART_REDIS_PASSWORD");
    unsetenv("EPART_REDIS_PASSWORD_FILE");
    unsetenv("EPART_PG_PASSWORD");
    unsetenv("EPART_PG_PASSWORD_FILE");
    unsetenv("EPART_REDIS_USER");
    unsetenv("EPART_REDIS_SENTINEL_PASSWORD");
    unsetenv("EPART_REDIS_SENTINEL_PASSWORD_FILE");
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void test_no_credentials(void **state)
{
    struct config c;
    char err[256], ci[2048];

    (void)state;
    assert_int_equal(config_load(&c, err, sizeof(err)), 0);
    assert_string_equal(c.redis_user, "epart");
    assert_string_equal(c.redis_password, "");
    assert_string_equal(c.pg_password, "");
    config_pg_conninfo(&c, ci, sizeof(ci));
    assert_null(strstr(ci, "password"));
}

static void test_state_secrets(void **state)
{
    struct config c;
    char err[256], path[128];

    (void)state;
    snprintf(path, sizeof(path), "%s/secrets/redis_password", dir);
    write_file(path, "from-state-dir\n");
    snprintf(path, sizeof(path), "%s/secrets/pg_password", dir);
    write_file(path, "pg-from-state\r\n");
    assert_int_equal(config_load(&c, err, sizeof(err)), 0);
    assert_string_equal(c.redis_password, "from-state-dir");
    assert_string_equal(c.pg_password, "pg-from-state");
}

static void test_file_then_variable_win(void **state)
{
    struct config c;
    char err[256], path[128];

    (void)state;
    snprintf(path, sizeof(path), "%s/secrets/redis_password", dir);
    write_file(path, "from-state-dir\n");
    snprintf(path, sizeof(path), "%s/other", dir);
    write_file(path, "from-file");
    setenv("EPART_REDIS_PASSWORD_FILE", path, 1);
    assert_int_equal(config_load(&c, err, sizeof(err)), 0);
    assert_string_equal(c.redis_password, "from-file");
    setenv("EPART_REDIS_PASSWORD", "from-variable", 1);
    setenv("EPART_REDIS_USER", "epart-ha", 1);
    assert_int_equal(config_load(&c, err, sizeof(err)), 0);
    assert_string_equal(c.redis_password, "from-variable");
    assert_string_equal(c.redis_user, "epart-ha");
    /* the Sentinels' own password is a credential of its own (several nodes) */
    assert_string_equal(c.redis_sentinel_password, "");
    snprintf(path, sizeof(path), "%s/secrets/redis_sentinel_password", dir);
    write_file(path, "sentinel-from-state\n");
    assert_int_equal(config_load(&c, err, sizeof(err)), 0);
    assert_string_equal(c.redis_sentinel_password, "sentinel-from-state");
    setenv("EPART_REDIS_SENTINEL_PASSWORD", "sentinel-from-variable", 1);
    assert_int_equal(config_load(&c, err, sizeof(err)), 0);
    assert_string_equal(c.redis_sentinel_password, "sentinel-from-variable");
    unsetenv("EPART_REDIS_SENTINEL_PASSWORD");
}

static void test_missing_named_file_is_an_error(void **state)
{
    struct config c;
    char err[256];

    (void)state;
    setenv("EPART_PG_PASSWORD_FILE", "/nonexistent/pg_password", 1);
    assert_int_equal(config_load(&c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent/pg_password"));
}

static void test_oversized_secret_refused(void **state)
{
    struct config c;
    char err[256], big[400];

    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    setenv("EPART_PG_PASSWORD", big, 1);
    assert_int_equal(config_load(&c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "EPART_PG_PASSWORD"));
    assert_null(strstr(err, "xxxx")); /* the value itself is never echoed */
}

/* A password with a quote, a backslash and a space stays one value. */
static void test_conninfo_quotes_password(void **state)
{
    struct config c;
    char err[256], ci[2048];

    (void)state;
    setenv("EPART_PG_PASSWORD", "a b'c\\d", 1);
    assert_int_equal(config_load(&c, err, sizeof(err)), 0);
    config_pg_conninfo(&c, ci, sizeof(ci));
    assert_non_null(strstr(ci, " password='a b\\'c\\\\d' "));
}

static void test_jwt_secret_file(void **state)
{
    struct config c;
    char err[256], path[128];

    (void)state;
    snprintf(path, sizeof(path), "%s/jwt", dir);
    write_file(path, "fedcba9876543210fedcba9876543210-from-file\n");
    unsetenv("EPART_JWT_SECRET");
    setenv("EPART_JWT_SECRET_FILE", path, 1);
    assert_int_equal(config_load(&c, err, sizeof(err)), 0);
    assert_int_equal(c.jwt_secret_len, 42);
    assert_memory_equal(c.jwt_secret, "fedcba9876543210fedcba9876543210-from-file", 42);
    unsetenv("EPART_JWT_SECRET_FILE");
}

/* Without EPART_JWT_SECRET[_FILE], the first start writes a random secret of
 * 48 characters to the state directory and every later start reads it back. */
static void test_jwt_state_secret_generated_then_kept(void **state)
{
    struct config c;
    char err[256], path[128], first[49];
    struct stat st;

    (void)state;
    unsetenv("EPART_JWT_SECRET");
    unsetenv("EPART_JWT_SECRET_FILE");
    assert_int_equal(config_load(&c, err, sizeof(err)), 0);
    assert_int_equal(c.jwt_secret_len, 48);
    memcpy(first, c.jwt_secret, 48);
    first[48] = '\0';
    snprintf(path, sizeof(path), "%s/jwt_secret", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(config_load(&c, err, sizeof(err)), 0);
    assert_int_equal(c.jwt_secret_len, 48);
    assert_memory_equal(c.jwt_secret, first, 48);
    /* an operator's own file, with its newline, is read the same way */
    write_file(path, "operator-secret-operator-secret-operator\n");
    assert_int_equal(config_load(&c, err, sizeof(err)), 0);
    assert_int_equal(c.jwt_secret_len, 40);
    assert_memory_equal(c.jwt_secret, "operator-secret-operator-secret-operator", 40);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_no_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_secrets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_then_variable_win, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_named_file_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversized_secret_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conninfo_quotes_password, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jwt_secret_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jwt_state_secret_generated_then_kept, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
