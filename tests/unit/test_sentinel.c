/*
 * test_sentinel.c — the pure half of the Sentinel client: address lists, the
 * replies of Sentinel and Redis (fed as raw RESP through hiredis's own reader,
 * exactly as they come off the wire), and the durability rule's count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "hostlist.h"
#include "sentinel.h"

static redisReply *resp(const char *wire)
{
    redisReader *rd = redisReaderCreate();
    void *reply = NULL;

    assert_non_null(rd);
    assert_int_equal(redisReaderFeed(rd, wire, strlen(wire)), REDIS_OK);
    assert_int_equal(redisReaderGetReply(rd, &reply), REDIS_OK);
    assert_non_null(reply);
    redisReaderFree(rd);
    return reply;
}

static void test_hostlist_ok(void **state)
{
    struct hostlist l;
    char err[160];

    (void)state;
    assert_int_equal(hostlist_parse("127.0.0.1:20102, node2:20202 ,[::1]:20302", &l, err,
                                    sizeof(err)),
                     0);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.a[0].host, "127.0.0.1");
    assert_int_equal(l.a[0].port, 20102);
    assert_string_equal(l.a[1].host, "node2");
    assert_int_equal(l.a[1].port, 20202);
    assert_string_equal(l.a[2].host, "::1");
    assert_int_equal(l.a[2].port, 20302);
    assert_int_equal(hostlist_parse("", &l, err, sizeof(err)), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(hostlist_parse(NULL, &l, err, sizeof(err)), 0);
    assert_int_equal(l.n, 0);
}

static void test_hostlist_hostile(void **state)
{
    static const char *const bad[] = {
        "127.0.0.1",                    /* no port */
        "127.0.0.1:",                   /* empty port */
        "h:0", "h:65536", "h:-1", "h:80x", "h:99999999999999999999",
        ":80",                          /* no host */
        "a:1,,b:2", "a:1,",             /* empty item */
        "::1:80",                       /* IPv6 without brackets */
        "[::1]80", "[::1", "[]:80",
        "h host:80",                    /* a space inside */
        "h'x:80", "h=x:80", "a\\b:1",   /* would change a libpq connection string */
        "a:1,b:2,c:3,d:4,e:5,f:6,g:7,h:8,i:9,j:10", /* more than HOSTLIST_MAX */
    };
    struct hostlist l;
    char err[160], longhost[400];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        if (hostlist_parse(bad[i], &l, err, sizeof(err)) != -1)
            fail_msg("accepted '%s'", bad[i]);
        assert_true(err[0] != '\0');
    }
    memset(longhost, 'a', 300);
    snprintf(longhost + 300, sizeof(longhost) - 300, ":80");
    assert_int_equal(hostlist_parse(longhost, &l, err, sizeof(err)), -1);
}

static void test_master_addr(void **state)
{
    struct hostport hp;
    redisReply *r;

    (void)state;
    r = resp("*2\r\n$9\r\n127.0.0.1\r\n$5\r\n20201\r\n");
    assert_true(sentinel_master_addr(r, &hp));
    assert_string_equal(hp.host, "127.0.0.1");
    assert_int_equal(hp.port, 20201);
    freeReplyObject(r);
    /* unknown master name: a nil */
    r = resp("*-1\r\n");
    assert_false(sentinel_master_addr(r, &hp));
    freeReplyObject(r);
    r = resp("-IDONTKNOW I'm not yet able to reply\r\n");
    assert_false(sentinel_master_addr(r, &hp));
    freeReplyObject(r);
    r = resp("*2\r\n$9\r\n127.0.0.1\r\n$5\r\n7000x\r\n");
    assert_false(sentinel_master_addr(r, &hp));
    freeReplyObject(r);
    r = resp("*2\r\n$0\r\n\r\n$4\r\n6379\r\n");
    assert_false(sentinel_master_addr(r, &hp));
    freeReplyObject(r);
    assert_false(sentinel_master_addr(NULL, &hp));
}

#define REPLICA(ip, flags, link)                                                            \
    "*6\r\n$2\r\nip\r\n$" ip "\r\n$5\r\nflags\r\n$" flags "\r\n$18\r\nmaster-link-status\r\n$" link \
    "\r\n"

static void test_healthy_replicas(void **state)
{
    redisReply *r;

    (void)state;
    r = resp("*2\r\n" REPLICA("9\r\n127.0.0.2", "5\r\nslave", "2\r\nok")
                 REPLICA("9\r\n127.0.0.3", "5\r\nslave", "2\r\nok"));
    assert_int_equal(sentinel_healthy_replicas(r), 2);
    freeReplyObject(r);
    /* one seen down by this Sentinel, one resynchronising, one disconnected */
    r = resp("*4\r\n" REPLICA("9\r\n127.0.0.2", "12\r\ns_down,slave", "2\r\nok")
                 REPLICA("9\r\n127.0.0.3", "5\r\nslave", "3\r\nerr")
                 REPLICA("9\r\n127.0.0.4", "18\r\nslave,disconnected", "2\r\nok")
                 REPLICA("9\r\n127.0.0.5", "5\r\nslave", "2\r\nok"));
    assert_int_equal(sentinel_healthy_replicas(r), 1);
    freeReplyObject(r);
    r = resp("*0\r\n");
    assert_int_equal(sentinel_healthy_replicas(r), 0);
    freeReplyObject(r);
    r = resp("-ERR No such master with that name\r\n");
    assert_int_equal(sentinel_healthy_replicas(r), -1);
    freeReplyObject(r);
    /* a malformed list is not counted as "no replica" */
    r = resp("*1\r\n$5\r\nslave\r\n");
    assert_int_equal(sentinel_healthy_replicas(r), -1);
    freeReplyObject(r);
    r = resp("*1\r\n*2\r\n$2\r\nip\r\n$1\r\nx\r\n");
    assert_int_equal(sentinel_healthy_replicas(r), -1);
    freeReplyObject(r);
    /* "s_downx" is not "s_down" */
    r = resp("*1\r\n" REPLICA("1\r\nx", "13\r\nslave,s_downx", "2\r\nok"));
    assert_int_equal(sentinel_healthy_replicas(r), 1);
    freeReplyObject(r);
}

/* Every healthy replica, at least one: the paused-primary experiment of the
 * research lost 1 230 writes with WAIT 1 on three nodes. */
static void test_required_acks(void **state)
{
    (void)state;
    assert_int_equal(sentinel_required_acks(2), 2);
    assert_int_equal(sentinel_required_acks(1), 1);
    assert_int_equal(sentinel_required_acks(0), 1);
    assert_int_equal(sentinel_required_acks(4), 4);
}

static void test_switch_master(void **state)
{
    struct hostport to;
    redisReply *r;

    (void)state;
    r = resp("*3\r\n$7\r\nmessage\r\n$14\r\n+switch-master\r\n"
             "$41\r\nepart 127.0.0.1 20101 127.0.0.1 20201 xyz\r\n");
    assert_false(sentinel_switch_master(r, "epart", &to)); /* trailing garbage */
    freeReplyObject(r);
    r = resp("*3\r\n$7\r\nmessage\r\n$14\r\n+switch-master\r\n"
             "$37\r\nepart 127.0.0.1 20101 127.0.0.1 20201\r\n");
    assert_true(sentinel_switch_master(r, "epart", &to));
    assert_string_equal(to.host, "127.0.0.1");
    assert_int_equal(to.port, 20201);
    assert_false(sentinel_switch_master(r, "other", &to));
    assert_false(sentinel_switch_master(r, "epar", &to));
    freeReplyObject(r);
    r = resp("*3\r\n$9\r\nsubscribe\r\n$14\r\n+switch-master\r\n:1\r\n");
    assert_false(sentinel_switch_master(r, "epart", &to));
    freeReplyObject(r);
    r = resp("*3\r\n$7\r\nmessage\r\n$11\r\n+sdown-xxxx\r\n"
             "$37\r\nepart 127.0.0.1 20101 127.0.0.1 20201\r\n");
    assert_false(sentinel_switch_master(r, "epart", &to));
    freeReplyObject(r);
    r = resp("*3\r\n$7\r\nmessage\r\n$14\r\n+switch-master\r\n"
             "$37\r\nepart 127.0.0.1 20101 127.0.0.1 99999\r\n");
    assert_false(sentinel_switch_master(r, "epart", &to));
    freeReplyObject(r);
}

static void test_role(void **state)
{
    redisReply *r;

    (void)state;
    r = resp("*3\r\n$6\r\nmaster\r\n:3129659\r\n*1\r\n*3\r\n$9\r\n127.0.0.1\r\n$4\r\n9001\r\n"
             "$7\r\n3129242\r\n");
    assert_true(sentinel_role_is_master(r));
    freeReplyObject(r);
    r = resp("*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:9000\r\n$9\r\nconnected\r\n:3167038\r\n");
    assert_false(sentinel_role_is_master(r));
    freeReplyObject(r);
    r = resp("-NOAUTH Authentication required.\r\n");
    assert_false(sentinel_role_is_master(r));
    freeReplyObject(r);
    assert_false(sentinel_role_is_master(NULL));
}

static void test_rediscover(void **state)
{
    (void)state;
    assert_true(sentinel_error_rediscover("READONLY You can't write against a read only replica."));
    assert_true(sentinel_error_rediscover("UNBLOCKED force unblock from blocking operation"));
    assert_true(sentinel_error_rediscover("NOREPLICAS Not enough good replicas to write."));
    assert_true(sentinel_error_rediscover("LOADING Redis is loading the dataset in memory"));
    assert_true(sentinel_error_rediscover("MASTERDOWN Link with MASTER is down"));
    assert_false(sentinel_error_rediscover("NOSCRIPT No matching script."));
    assert_false(sentinel_error_rediscover("ERR wrong number of arguments"));
    assert_false(sentinel_error_rediscover("READONLYX"));
    assert_false(sentinel_error_rediscover(NULL));
}

/* EPART_PG_HOSTS becomes one libpq multi-host string, writes only. */
static void test_pg_conninfo(void **state)
{
    struct config c;
    char buf[4096], err[160];

    (void)state;
    memset(&c, 0, sizeof(c));
    snprintf(c.pg_host, sizeof(c.pg_host), "127.0.0.1");
    c.pg_port = 55432;
    snprintf(c.pg_db, sizeof(c.pg_db), "epart");
    snprintf(c.pg_user, sizeof(c.pg_user), "epart");
    config_pg_conninfo(&c, buf, sizeof(buf));
    assert_non_null(strstr(buf, "host=127.0.0.1 port=55432 "));
    assert_null(strstr(buf, "target_session_attrs"));
    assert_int_equal(hostlist_parse("127.0.0.1:20103,127.0.0.1:20203,127.0.0.1:20303",
                                    &c.pg_hosts, err, sizeof(err)),
                     0);
    config_pg_conninfo(&c, buf, sizeof(buf));
    assert_non_null(strstr(buf, "host=127.0.0.1,127.0.0.1,127.0.0.1 port=20103,20203,20303 "));
    assert_non_null(strstr(buf, " target_session_attrs=read-write"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostlist_ok),      cmocka_unit_test(test_hostlist_hostile),
        cmocka_unit_test(test_master_addr),      cmocka_unit_test(test_healthy_replicas),
        cmocka_unit_test(test_required_acks),    cmocka_unit_test(test_switch_master),
        cmocka_unit_test(test_role),             cmocka_unit_test(test_rediscover),
        cmocka_unit_test(test_pg_conninfo),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
