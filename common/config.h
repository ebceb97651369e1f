/*
 * config.h — the configuration of an epart process, read from the environment.
 *
 * Every variable of SPEC §11 is honoured with its default; the others tune limits
 * and deadlines and are documented in docs/configuration.md. Both binaries read
 * the same struct so that the API and the workers always agree.
 */
#ifndef EPART_CONFIG_H
#define EPART_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "hostlist.h"

#define CONFIG_MAX_LEADS 4

/* Warning leads of one clock, in seconds before the due time, most distant first. */
struct clock_leads {
    int n;
    long seconds[CONFIG_MAX_LEADS];
};

struct config {
    int http_port;              /* EPART_HTTP_PORT (8080) */
    char state_dir[512];        /* EPART_STATE_DIR (./var) */
    char pg_host[256];          /* EPART_PG_HOST (127.0.0.1) */
    int pg_port;                /* EPART_PG_PORT (55432) */
    char pg_db[64];             /* EPART_PG_DB (epart) */
    char pg_user[64];           /* EPART_PG_USER (epart) */
    char redis_host[256];       /* EPART_REDIS_HOST (127.0.0.1) */
    int redis_port;             /* EPART_REDIS_PORT (56379) */
    struct hostlist redis_sentinels; /* EPART_REDIS_SENTINELS: empty on a single node (SPEC §14) */
    char redis_master_name[64]; /* EPART_REDIS_MASTER_NAME (epart) */
    struct hostlist pg_hosts;   /* EPART_PG_HOSTS: empty means EPART_PG_HOST:EPART_PG_PORT */
    /* Credentials of the stores (SPEC §11), read here and nowhere else: each is
     * EPART_X, else the content of the file named by EPART_X_FILE, else
     * $STATE_DIR/secrets/<x> (written by deploy/stack.sh), else empty (no
     * authentication sent). Never logged. */
    char redis_user[64];        /* EPART_REDIS_USER (epart): the ACL user of deploy/redis-acl.sh */
    char redis_password[256];   /* EPART_REDIS_PASSWORD[_FILE], secrets/redis_password */
    char redis_sentinel_password[256]; /* EPART_REDIS_SENTINEL_PASSWORD[_FILE]: the Sentinels'
                                        * requirepass, secrets/redis_sentinel_password */
    char pg_password[256];      /* EPART_PG_PASSWORD[_FILE], secrets/pg_password */
    char metrics_token[256];    /* EPART_METRICS_TOKEN[_FILE]: /metrics from beyond loopback */
    unsigned char jwt_secret[512];
    size_t jwt_secret_len;      /* EPART_JWT_SECRET, else EPART_JWT_SECRET_FILE, else $STATE_DIR/jwt_secret */
    bool test_clock;            /* EPART_TEST_CLOCK=1 */
    bool webhook_allow_private; /* EPART_WEBHOOK_ALLOW_PRIVATE=1 */
    int workers;                /* EPART_WORKERS (1): processes started by make run */

    int http_threads;           /* EPART_HTTP_THREADS (number of CPUs) */
    int db_threads;             /* EPART_DB_THREADS (8): blocking PostgreSQL workers of the API */
    size_t body_limit;          /* EPART_BODY_LIMIT bytes (1 MiB) */
    int http_timeout_s;         /* EPART_HTTP_TIMEOUT seconds (10): read/write of one request */
    int db_timeout_ms;          /* EPART_DB_TIMEOUT_MS (1000): a GET waits no longer for a free connection */
    long ingest_backlog_max;    /* EPART_INGEST_BACKLOG (1000000): stream length refused with 503 */
    int ingest_inflight_max;    /* EPART_INGEST_INFLIGHT (4096): ingest requests waiting for Redis
                                 * plus other Redis commands in flight, per thread */
    double rate_per_org;        /* EPART_RATE_LIMIT requests/s per organisation (200, 0 = off) */
    double rate_burst;          /* EPART_RATE_BURST (1000) */
    int max_connections;        /* EPART_MAX_CONNECTIONS (1024): open HTTP connections in all */
    int max_connections_per_addr; /* EPART_MAX_CONNECTIONS_PER_ADDR (64): per client address */
    int dns_timeout_ms;         /* EPART_DNS_TIMEOUT_MS (2000): one webhook host resolution */
    int dns_inflight_per_owner; /* EPART_DNS_INFLIGHT (4): resolutions at once per organisation */
    char resolv_conf[256];      /* EPART_RESOLV_CONF (/etc/resolv.conf): the resolver's servers */
    int token_rate_addr;        /* EPART_TOKEN_RATE_ADDR (120): token requests/min per client address */
    int token_burst_addr;       /* EPART_TOKEN_BURST_ADDR (60) */
    int token_rate_client;      /* EPART_TOKEN_RATE_CLIENT (30): token requests/min per client_id */
    int token_burst_client;     /* EPART_TOKEN_BURST_CLIENT (20) */
    int hash_threads;           /* EPART_HASH_THREADS (1): threads hashing client secrets */
    int hash_queue;             /* EPART_HASH_QUEUE (32): secrets waiting for them, then 503 */
    double rate_per_agent;      /* EPART_RATE_LIMIT_AGENT requests/s per instructor or admin
                                 * (its sub and role; default EPART_RATE_LIMIT, 0 = off) */
    double rate_burst_agent;    /* EPART_RATE_BURST_AGENT (default EPART_RATE_BURST) */

    bool instruction_reset;     /* EPART_INSTRUCTION_POLICY=reset (default suspend) */
    struct clock_leads leads_instruction;     /* EPART_LEADS_INSTRUCTION ("P5D,P1D") */
    struct clock_leads leads_transmission;    /* EPART_LEADS_TRANSMISSION ("P2D") */
    struct clock_leads leads_prise_en_charge; /* EPART_LEADS_PRISE_EN_CHARGE ("PT12H") */
    struct clock_leads leads_rappel;          /* EPART_LEADS_RAPPEL ("PT4H") */

    int max_tries;              /* EPART_MAX_TRIES (5): deliveries before dead-letter */
    int claim_idle_ms;          /* EPART_CLAIM_IDLE_MS (5000): pending entries older are claimed */
    int webhook_timeout_s;      /* EPART_WEBHOOK_TIMEOUT (10) */
    int webhook_max_attempts;   /* EPART_WEBHOOK_ATTEMPTS (10) */
    int webhook_backoff_base_ms; /* EPART_WEBHOOK_BACKOFF_BASE_MS (30000): first retry delay, the schedule scales with it */
    int retention_days;         /* EPART_RETENTION_DAYS (730): closed dossiers purged of personal data */

    /* OpenID Connect for agents (SPEC §13, docs/identite.md); off when oidc_issuer is "" */
    char oidc_issuer[512];      /* EPART_OIDC_ISSUER: https, or http on a loopback host */
    char oidc_client_id[256];   /* EPART_OIDC_CLIENT_ID (required with the issuer) */
    char oidc_client_secret[256]; /* EPART_OIDC_CLIENT_SECRET: a confidential client when set */
    char oidc_scopes[256];      /* EPART_OIDC_SCOPES ("openid email") */
    char public_url[512];       /* EPART_PUBLIC_URL (http://localhost:<port>): redirect URI base */
    int oidc_session_ttl_s;     /* EPART_OIDC_SESSION_TTL (1800, at most 3600): epart's session token */
    int oidc_jwks_refresh_min_s; /* EPART_OIDC_JWKS_REFRESH_MIN (60): an unknown kid refetches at most this often */
    int oidc_jwks_max_age_s;    /* EPART_OIDC_JWKS_MAX_AGE (900): keys are refetched in the background this often */
    int oidc_session_rate;      /* EPART_OIDC_SESSION_RATE (5): sign-ins per second and client address, burst 4× */
    int oidc_http_timeout_ms;   /* EPART_OIDC_HTTP_TIMEOUT_MS (5000): one fetch from the provider */
};

/* Fill c from the environment. On error (a value out of range, a JWT secret
 * shorter than 256 bits) writes a message into err and returns -1. */
int config_load(struct config *c, char *err, size_t errlen);

/* Parse a list of ISO 8601 durations ("P5D,P1D", "PT12H", "P1DT6H") into leads
 * sorted most distant first. Returns -1 on any malformed item. */
int config_parse_leads(const char *s, struct clock_leads *out);

/* Write an ISO 8601 duration for seconds ("P5D", "PT12H", "P1DT6H") into buf. */
char *config_format_lead(long seconds, char *buf, size_t len);

/* The libpq connection string of c (host, port, dbname, user, timeouts). With
 * EPART_PG_HOSTS, every host and port of the list with
 * target_session_attrs=read-write: libpq tries them in turn and keeps the one
 * that accepts writes (the Patroni leader). It holds the password: never log
 * it. */
void config_pg_conninfo(const struct config *c, char *buf, size_t len);

#endif
