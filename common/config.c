/*
 * config.c — reading and checking the environment.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "token.h"

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);

    return (v != NULL && v[0] != '\0') ? v : dflt;
}

static int env_long(const char *name, long dflt, long min, long max, long *out, char *err,
                    size_t errlen)
{
    const char *v = getenv(name);
    char *end;
    long n;

    if (v == NULL || v[0] == '\0') {
        *out = dflt;
        return 0;
    }
    errno = 0;
    n = strtol(v, &end, 10);
    if (errno != 0 || *end != '\0' || n < min || n > max) {
        snprintf(err, errlen, "%s=%s: expected an integer in [%ld, %ld]", name, v, min, max);
        return -1;
    }
    *out = n;
    return 0;
}

static bool env_flag(const char *name)
{
    const char *v = getenv(name);

    return v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0);
}

static void copy(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src);
}

/* Parse one ISO 8601 duration made of days, hours and minutes. */
static long parse_duration(const char *s, size_t n)
{
    long total = 0, v = 0;
    bool in_time = false, digits = false, any = false;
    int last = 0; /* designators come in order, each once: D (1), H (2), M (3) */

    if (n < 2 || s[0] != 'P')
        return -1;
    for (size_t i = 1; i < n; i++) {
        char ch = s[i];

        if (ch >= '0' && ch <= '9') {
            if (v > 100000)
                return -1;
            v = v * 10 + (ch - '0');
            digits = true;
            continue;
        }
        if (ch == 'T' && !in_time && !digits) {
            in_time = true;
            continue;
        }
        if (!digits)
            return -1;
        if (ch == 'D' && !in_time && last < 1) {
            total += v * 86400;
            last = 1;
        } else if (ch == 'H' && in_time && last < 2) {
            total += v * 3600;
            last = 2;
        } else if (ch == 'M' && in_time && last < 3) {
            total += v * 60;
            last = 3;
        } else {
            return -1;
        }
        v = 0;
        digits = false;
        any = true;
    }
    /* "P1DT": a T must be followed by a time component. */
    return (digits || !any || (in_time && last < 2)) ? -1 : total;
}

int config_parse_leads(const char *s, struct clock_leads *out)
{
    struct clock_leads l = {0, {0}};
    const char *p = s;

    while (*p != '\0') {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        long secs = parse_duration(p, n);

        if (secs <= 0 || l.n == CONFIG_MAX_LEADS)
            return -1;
        l.seconds[l.n++] = secs;
        p += n;
        if (*p == ',' && *++p == '\0')
            return -1; /* a trailing comma is an empty item too */
    }
    /* most distant first, duplicates removed */
    for (int i = 0; i < l.n; i++)
        for (int j = i + 1; j < l.n; j++)
            if (l.seconds[j] > l.seconds[i]) {
                long t = l.seconds[i];

                l.seconds[i] = l.seconds[j];
                l.seconds[j] = t;
            }
    for (int i = 1; i < l.n; i++)
        if (l.seconds[i] == l.seconds[i - 1]) {
            memmove(&l.seconds[i], &l.seconds[i + 1], sizeof(long) * (size_t)(l.n - i - 1));
            l.n--;
            i--;
        }
    *out = l;
    return 0;
}

char *config_format_lead(long seconds, char *buf, size_t len)
{
    long d = seconds / 86400, h = (seconds % 86400) / 3600, m = (seconds % 3600) / 60;
    char tmp[96]; /* three longs and five letters always fit */
    int n = snprintf(tmp, sizeof(tmp), "P");

    /* Built apart and copied once: appending into buf itself ran past its end
     * when len was too short (n grew beyond len, len - n wrapped around). */
    if (d > 0)
        n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, "%ldD", d);
    if (h > 0 || m > 0) {
        n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, "T");
        if (h > 0)
            n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, "%ldH", h);
        if (m > 0)
            snprintf(tmp + n, sizeof(tmp) - (size_t)n, "%ldM", m);
    }
    if (len > 0)
        snprintf(buf, len, "%s", tmp);
    return buf;
}

/* The secret held by the file at path, without its trailing newline, into out
 * (cap bytes, NUL-terminated): its length, or -1 with err set when the file
 * cannot be read or does not fit. Every secret file is read here. */
static ssize_t read_secret_file(const char *path, char *out, size_t cap, char *err,
                                size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    out[0] = '\0';
    if (fd < 0) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    n = read(fd, out, cap);
    close(fd);
    if (n < 0 || (size_t)n >= cap) {
        explicit_bzero(out, cap);
        out[0] = '\0';
        snprintf(err, errlen, "%s: unreadable or longer than %zu bytes", path, cap - 1);
        return -1;
    }
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        n--;
    out[n] = '\0';
    return n;
}

/* The secret generated for this state directory on its first run, so that the
 * tokens printed by make run stay valid across restarts. */
static int load_state_secret(struct config *c, char *err, size_t errlen)
{
    char path[600], text[sizeof(c->jwt_secret) + 1];
    ssize_t n;

    snprintf(path, sizeof(path), "%s/jwt_secret", c->state_dir);
    if (access(path, F_OK) != 0 && errno == ENOENT) {
        static const char alphabet[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        unsigned char raw[48];
        char fresh[49];
        int ufd = open("/dev/urandom", O_RDONLY | O_CLOEXEC), fd;

        if (ufd < 0 || read(ufd, raw, sizeof(raw)) != (ssize_t)sizeof(raw)) {
            if (ufd >= 0)
                close(ufd);
            snprintf(err, errlen, "cannot read /dev/urandom to generate the JWT secret");
            return -1;
        }
        close(ufd);
        for (size_t i = 0; i < sizeof(raw); i++)
            fresh[i] = alphabet[raw[i] % (sizeof(alphabet) - 1)];
        fresh[48] = '\0';
        mkdir(c->state_dir, 0755);
        /* O_EXCL: of two processes starting at once, one writes, both read */
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            if (write(fd, fresh, 48) != 48) {
                close(fd);
                snprintf(err, errlen, "cannot write %s", path);
                return -1;
            }
            close(fd);
        }
    }
    n = read_secret_file(path, text, sizeof(text), err, errlen);
    if (n < 0)
        return -1;
    memcpy(c->jwt_secret, text, (size_t)n);
    c->jwt_secret_len = (size_t)n;
    explicit_bzero(text, sizeof(text));
    return 0;
}

/* The numeric settings, as data: each variable, its default when unset, the
 * bounds it must fall within and the field it sets (its C type read from the
 * field itself). A default that is not a constant — the machine's, or another
 * setting's, read earlier in the table — comes from dflt_of. */
enum num_type { NUM_INT, NUM_LONG, NUM_SIZE, NUM_DOUBLE };

struct num_var {
    const char *name;
    long dflt, min, max;
    size_t offset;
    enum num_type type;
    long (*dflt_of)(const struct config *c);
};

#define NUM_TYPE(field)                                                                       \
    _Generic(((struct config *)0)->field, int: NUM_INT, long: NUM_LONG, size_t: NUM_SIZE,    \
             double: NUM_DOUBLE)
#define NUM(name, dflt, min, max, field)                                                      \
    {name, dflt, min, max, offsetof(struct config, field), NUM_TYPE(field), NULL}
#define NUM_OF(name, dflt_of, min, max, field)                                                \
    {name, 0, min, max, offsetof(struct config, field), NUM_TYPE(field), dflt_of}

static long cpus(const struct config *c)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    (void)c;
    return n > 0 ? n : 2;
}

/* agents (instructors, admins) each have their own bucket, by default of the
 * partners' size: one setting of EPART_RATE_LIMIT=0 still disables all */
static long partners_rate(const struct config *c)
{
    return (long)c->rate_per_org;
}

static long partners_burst(const struct config *c)
{
    return (long)c->rate_burst;
}

static const struct num_var num_vars[] = {
    NUM("EPART_HTTP_PORT", 8080, 1, 65535, http_port),
    NUM("EPART_PG_PORT", 55432, 1, 65535, pg_port),
    NUM("EPART_REDIS_PORT", 56379, 1, 65535, redis_port),
    NUM("EPART_WORKERS", 1, 0, 64, workers),
    NUM_OF("EPART_HTTP_THREADS", cpus, 1, 64, http_threads),
    NUM("EPART_DB_THREADS", 8, 1, 128, db_threads),
    NUM("EPART_BODY_LIMIT", 1048576, 1024, 64L * 1048576, body_limit),
    NUM("EPART_HTTP_TIMEOUT", 10, 1, 600, http_timeout_s),
    NUM("EPART_DB_TIMEOUT_MS", 1000, 50, 60000, db_timeout_ms),
    NUM("EPART_INGEST_BACKLOG", 1000000, 0, 1000000000L, ingest_backlog_max),
    NUM("EPART_INGEST_INFLIGHT", 4096, 16, 1000000, ingest_inflight_max),
    NUM("EPART_RATE_LIMIT", 200, 0, 10000000, rate_per_org),
    NUM("EPART_RATE_BURST", 1000, 1, 100000000, rate_burst),
    NUM("EPART_MAX_CONNECTIONS", 1024, 1, 1000000, max_connections),
    NUM("EPART_MAX_CONNECTIONS_PER_ADDR", 64, 1, 1000000, max_connections_per_addr),
    NUM("EPART_DNS_TIMEOUT_MS", 2000, 100, 2000, dns_timeout_ms),
    NUM("EPART_DNS_INFLIGHT", 4, 1, 1000, dns_inflight_per_owner),
    NUM("EPART_TOKEN_RATE_ADDR", 120, 0, 1000000, token_rate_addr),
    NUM("EPART_TOKEN_BURST_ADDR", 60, 1, 1000000, token_burst_addr),
    NUM("EPART_TOKEN_RATE_CLIENT", 30, 0, 1000000, token_rate_client),
    NUM("EPART_TOKEN_BURST_CLIENT", 20, 1, 1000000, token_burst_client),
    NUM("EPART_HASH_THREADS", 1, 1, 64, hash_threads),
    NUM("EPART_HASH_QUEUE", 32, 1, 100000, hash_queue),
    NUM_OF("EPART_RATE_LIMIT_AGENT", partners_rate, 0, 10000000, rate_per_agent),
    NUM_OF("EPART_RATE_BURST_AGENT", partners_burst, 1, 100000000, rate_burst_agent),
    NUM("EPART_MAX_TRIES", 5, 1, 1000, max_tries),
    NUM("EPART_CLAIM_IDLE_MS", 5000, 100, 3600000, claim_idle_ms),
    NUM("EPART_WEBHOOK_TIMEOUT", 10, 1, 120, webhook_timeout_s),
    NUM("EPART_WEBHOOK_ATTEMPTS", 10, 8, 100, webhook_max_attempts),
    NUM("EPART_WEBHOOK_BACKOFF_BASE_MS", 30000, 1, 3600000, webhook_backoff_base_ms),
    NUM("EPART_RETENTION_DAYS", 730, 1, 36500, retention_days),
    NUM("EPART_OIDC_SESSION_TTL", 1800, 60, 3600, oidc_session_ttl_s),
    NUM("EPART_OIDC_JWKS_REFRESH_MIN", 60, 1, 3600, oidc_jwks_refresh_min_s),
    NUM("EPART_OIDC_JWKS_MAX_AGE", 900, 10, 86400, oidc_jwks_max_age_s),
    NUM("EPART_OIDC_SESSION_RATE", 5, 1, 100000, oidc_session_rate),
    NUM("EPART_OIDC_HTTP_TIMEOUT_MS", 5000, 100, 60000, oidc_http_timeout_ms),
};

#undef NUM_OF
#undef NUM
#undef NUM_TYPE

/* Every row of num_vars, in order; -1 with err set at the first variable that
 * is not an integer within its bounds. */
static int load_numbers(struct config *c, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof(num_vars) / sizeof(num_vars[0]); i++) {
        const struct num_var *n = &num_vars[i];
        void *field = (char *)c + n->offset;
        long v;

        if (env_long(n->name, n->dflt_of != NULL ? n->dflt_of(c) : n->dflt, n->min, n->max, &v,
                     err, errlen) < 0)
            return -1;
        switch (n->type) {
        case NUM_INT:
            *(int *)field = (int)v;
            break;
        case NUM_LONG:
            *(long *)field = v;
            break;
        case NUM_SIZE:
            *(size_t *)field = (size_t)v;
            break;
        case NUM_DOUBLE:
            *(double *)field = (double)v;
            break;
        }
    }
    return 0;
}

/* SPEC §13: the provider's address is where the keys that admit people come
 * from, so it must be https (http only on this machine, for tests and demos). */
static int config_load_oidc(struct config *c, char *err, size_t errlen)
{
    copy(c->oidc_issuer, sizeof(c->oidc_issuer), env_or("EPART_OIDC_ISSUER", ""));
    copy(c->oidc_client_id, sizeof(c->oidc_client_id), env_or("EPART_OIDC_CLIENT_ID", ""));
    copy(c->oidc_client_secret, sizeof(c->oidc_client_secret),
         env_or("EPART_OIDC_CLIENT_SECRET", ""));
    copy(c->oidc_scopes, sizeof(c->oidc_scopes), env_or("EPART_OIDC_SCOPES", "openid email"));
    if (getenv("EPART_PUBLIC_URL") != NULL && getenv("EPART_PUBLIC_URL")[0] != '\0')
        copy(c->public_url, sizeof(c->public_url), getenv("EPART_PUBLIC_URL"));
    else
        snprintf(c->public_url, sizeof(c->public_url), "http://localhost:%d", c->http_port);
    if (c->oidc_issuer[0] == '\0')
        return 0;
    if (!agent_issuer_ok(c->oidc_issuer)) {
        snprintf(err, errlen,
                 "EPART_OIDC_ISSUER must be an https URL (http only on a loopback address), "
                 "without query nor fragment");
        return -1;
    }
    if (c->oidc_client_id[0] == '\0') {
        snprintf(err, errlen, "EPART_OIDC_CLIENT_ID is required with EPART_OIDC_ISSUER");
        return -1;
    }
    if (strstr(c->oidc_scopes, "openid") == NULL) {
        snprintf(err, errlen, "EPART_OIDC_SCOPES must include openid");
        return -1;
    }
    return 0;
}

/* One credential: the variable env, else the file named by env_FILE, else the
 * file secrets/<name> of the state directory when it exists, else empty. A
 * trailing newline of a file is not part of the secret. */
static int load_credential(const struct config *c, const char *env, const char *name,
                           char *out, size_t len, char *err, size_t errlen)
{
    char file_env[96], path[700];
    const char *v = getenv(env);
    const char *file;

    out[0] = '\0';
    if (v != NULL && v[0] != '\0') {
        if (strlen(v) >= len) {
            snprintf(err, errlen, "%s is longer than %zu bytes", env, len - 1);
            return -1;
        }
        copy(out, len, v);
        return 0;
    }
    snprintf(file_env, sizeof(file_env), "%s_FILE", env);
    file = getenv(file_env);
    if (file != NULL && file[0] != '\0') {
        copy(path, sizeof(path), file);
    } else {
        snprintf(path, sizeof(path), "%s/secrets/%s", c->state_dir, name);
        if (access(path, F_OK) != 0)
            return 0;
    }
    return read_secret_file(path, out, len, err, errlen) < 0 ? -1 : 0;
}

int config_load(struct config *c, char *err, size_t errlen)
{
    const char *s;

    memset(c, 0, sizeof(*c));
    if (load_numbers(c, err, errlen) < 0)
        return -1;

    copy(c->state_dir, sizeof(c->state_dir), env_or("EPART_STATE_DIR", "./var"));
    copy(c->pg_host, sizeof(c->pg_host), env_or("EPART_PG_HOST", "127.0.0.1"));
    copy(c->pg_db, sizeof(c->pg_db), env_or("EPART_PG_DB", "epart"));
    copy(c->pg_user, sizeof(c->pg_user), env_or("EPART_PG_USER", "epart"));
    copy(c->redis_host, sizeof(c->redis_host), env_or("EPART_REDIS_HOST", "127.0.0.1"));
    copy(c->resolv_conf, sizeof(c->resolv_conf), env_or("EPART_RESOLV_CONF", "/etc/resolv.conf"));
    copy(c->redis_master_name, sizeof(c->redis_master_name),
         env_or("EPART_REDIS_MASTER_NAME", "epart"));
    for (const char *p = c->redis_master_name; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.')) {
            snprintf(err, errlen, "EPART_REDIS_MASTER_NAME=%s: letters, digits, - _ . only",
                     c->redis_master_name);
            return -1;
        }
    {
        char why[160];

        if (hostlist_parse(getenv("EPART_REDIS_SENTINELS"), &c->redis_sentinels, why,
                           sizeof(why)) < 0) {
            snprintf(err, errlen, "EPART_REDIS_SENTINELS: %s", why);
            return -1;
        }
        if (hostlist_parse(getenv("EPART_PG_HOSTS"), &c->pg_hosts, why, sizeof(why)) < 0) {
            snprintf(err, errlen, "EPART_PG_HOSTS: %s", why);
            return -1;
        }
    }
    copy(c->redis_user, sizeof(c->redis_user), env_or("EPART_REDIS_USER", "epart"));
    if (load_credential(c, "EPART_REDIS_PASSWORD", "redis_password", c->redis_password,
                        sizeof(c->redis_password), err, errlen) < 0 ||
        load_credential(c, "EPART_REDIS_SENTINEL_PASSWORD", "redis_sentinel_password",
                        c->redis_sentinel_password, sizeof(c->redis_sentinel_password), err,
                        errlen) < 0 ||
        load_credential(c, "EPART_PG_PASSWORD", "pg_password", c->pg_password,
                        sizeof(c->pg_password), err, errlen) < 0 ||
        load_credential(c, "EPART_METRICS_TOKEN", "metrics_token", c->metrics_token,
                        sizeof(c->metrics_token), err, errlen) < 0)
        return -1;
    c->test_clock = env_flag("EPART_TEST_CLOCK");
    c->webhook_allow_private = env_flag("EPART_WEBHOOK_ALLOW_PRIVATE");

    s = env_or("EPART_INSTRUCTION_POLICY", "suspend");
    if (strcmp(s, "reset") == 0) {
        c->instruction_reset = true;
    } else if (strcmp(s, "suspend") != 0) {
        snprintf(err, errlen, "EPART_INSTRUCTION_POLICY=%s: expected suspend or reset", s);
        return -1;
    }
#define LEADS(name, dflt, field)                                                              \
    do {                                                                                      \
        s = env_or(name, dflt);                                                               \
        if (config_parse_leads(s, &c->field) < 0) {                                           \
            snprintf(err, errlen, "%s=%s: expected ISO 8601 durations such as P5D,P1D", name, \
                     s);                                                                      \
            return -1;                                                                        \
        }                                                                                     \
    } while (0)
    LEADS("EPART_LEADS_INSTRUCTION", "P5D,P1D", leads_instruction);
    LEADS("EPART_LEADS_TRANSMISSION", "P2D", leads_transmission);
    LEADS("EPART_LEADS_PRISE_EN_CHARGE", "PT12H", leads_prise_en_charge);
    LEADS("EPART_LEADS_RAPPEL", "PT4H", leads_rappel);
#undef LEADS

    s = getenv("EPART_JWT_SECRET");
    if ((s == NULL || s[0] == '\0') && getenv("EPART_JWT_SECRET_FILE") != NULL &&
        getenv("EPART_JWT_SECRET_FILE")[0] != '\0') {
        char text[sizeof(c->jwt_secret) + 1];

        /* the same reading as the passwords (trailing newline dropped) */
        if (load_credential(c, "EPART_JWT_SECRET", "jwt_secret", text, sizeof(text), err,
                            errlen) < 0)
            return -1;
        c->jwt_secret_len = strlen(text);
        memcpy(c->jwt_secret, text, c->jwt_secret_len);
        explicit_bzero(text, sizeof(text));
    } else if (s != NULL && s[0] != '\0') {
        if (strlen(s) > sizeof(c->jwt_secret)) {
            snprintf(err, errlen, "EPART_JWT_SECRET is longer than %zu bytes",
                     sizeof(c->jwt_secret));
            return -1;
        }
        c->jwt_secret_len = strlen(s);
        memcpy(c->jwt_secret, s, c->jwt_secret_len);
    } else if (load_state_secret(c, err, errlen) < 0) {
        return -1;
    }
    if (!token_secret_ok(c->jwt_secret_len)) {
        snprintf(err, errlen,
                 "EPART_JWT_SECRET is %zu bytes long: an HS256 secret needs at least 32 bytes "
                 "(256 bits)",
                 c->jwt_secret_len);
        return -1;
    }
    return config_load_oidc(c, err, errlen);
}

/* A conninfo value in single quotes, with ' and \ escaped (libpq's rule), so
 * that a password given by the operator may hold any character. */
static void quote_conninfo(char *out, size_t len, const char *v)
{
    size_t o = 0;

    if (len < 3) {
        if (len > 0)
            out[0] = '\0';
        return;
    }
    out[o++] = '\'';
    for (; *v != '\0' && o + 3 < len; v++) {
        if (*v == '\'' || *v == '\\')
            out[o++] = '\\';
        out[o++] = *v;
    }
    out[o++] = '\'';
    out[o] = '\0';
}

void config_pg_conninfo(const struct config *c, char *buf, size_t len)
{
    char password[2 * sizeof(c->pg_password) + 3];

    /* Values are ours (host, port, names), never request input. connect_timeout
     * bounds how long a GET can wait when PostgreSQL is unreachable. */
    char hosts[HOSTLIST_MAX * (HOSTLIST_HOST_LEN + 1)], ports[HOSTLIST_MAX * 6 + 1];
    const char *tsa = "";

    if (c->pg_hosts.n == 0) {
        snprintf(hosts, sizeof(hosts), "%s", c->pg_host);
        snprintf(ports, sizeof(ports), "%d", c->pg_port);
    } else {
        size_t h = 0, p = 0;

        /* hostlist_parse admits no character that could end a value here */
        for (int i = 0; i < c->pg_hosts.n; i++) {
            h += (size_t)snprintf(hosts + h, sizeof(hosts) - h, "%s%s", i ? "," : "",
                                  c->pg_hosts.a[i].host);
            p += (size_t)snprintf(ports + p, sizeof(ports) - p, "%s%d", i ? "," : "",
                                  c->pg_hosts.a[i].port);
        }
        tsa = " target_session_attrs=read-write";
    }
    quote_conninfo(password, sizeof(password), c->pg_password);
    snprintf(buf, len,
             "host=%s port=%s dbname=%s user=%s%s%s connect_timeout=2 application_name=epart "
             "keepalives=1 keepalives_idle=10 keepalives_interval=5 keepalives_count=2%s",
             hosts, ports, c->pg_db, c->pg_user,
             c->pg_password[0] != '\0' ? " password=" : "",
             c->pg_password[0] != '\0' ? password : "", tsa);
}
