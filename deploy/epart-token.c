/*
 * epart-token — print a signed bearer token for the API.
 *
 *   epart-token (--secret-file F | --secret S) --role partner --org <uuid>
 *   epart-token (--secret-file F | --secret S) --role instructor --caisse 171
 *   epart-token (--secret-file F | --secret S) --role admin
 *               [--sub NAME] [--ttl SECONDS] [--now UNIX_SECONDS]
 *
 * make run uses it to print demonstration tokens; the tests use it to get
 * tokens of each role, and --now to get expired or not-yet-valid ones.
 *
 * The key is the raw bytes of the secret string, exactly as the API uses
 * EPART_JWT_SECRET: --secret S uses the bytes of S; --secret-file F the bytes of
 * the file with its trailing newline(s) removed (so that `echo "$S" > F` and
 * EPART_JWT_SECRET=S agree). With neither option EPART_JWT_SECRET is read. A
 * secret shorter than 32 bytes is refused, as the API refuses it. Prefer the
 * file or the variable: a --secret argument is visible to other local users.
 *
 * Exit status: 0 with the token and a newline on stdout, 2 on a usage error, 1
 * when the secret cannot be read or signing fails. The secret is never printed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "token.h"
#include "uuidv.h"

#define SECRET_FILE_MAX 4096
#define DEFAULT_TTL     3600L
#define MAX_TTL         (366L * 24 * 3600)

static void usage(void)
{
    fputs("usage: epart-token (--secret-file F | --secret S) --role partner --org UUID\n"
          "       epart-token (--secret-file F | --secret S) --role instructor --caisse CODE\n"
          "       epart-token (--secret-file F | --secret S) --role admin\n"
          "                   [--sub NAME] [--ttl SECONDS] [--now UNIX_SECONDS]\n"
          "Without --secret/--secret-file, EPART_JWT_SECRET is used. The secret's bytes are\n"
          "the HMAC key (at least 32). --ttl defaults to 3600; --now to the current time.\n",
          stderr);
}

/* Parse a decimal long in [lo, hi]; false on anything else. */
static bool parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* Read the secret file into buf; returns its length without trailing CR/LF, or
 * -1. Nothing about the content is ever reported. */
static long read_secret_file(const char *path, unsigned char *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    int extra;

    if (f == NULL) {
        fprintf(stderr, "epart-token: cannot open secret file %s: %s\n", path, strerror(errno));
        return -1;
    }
    n = fread(buf, 1, size, f);
    extra = fgetc(f);
    if (ferror(f) || extra != EOF) {
        fprintf(stderr, "epart-token: cannot read secret file %s (or over %zu bytes)\n", path,
                size);
        fclose(f);
        return -1;
    }
    fclose(f);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    return (long)n;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"secret-file", required_argument, NULL, 'f'},
        {"secret", required_argument, NULL, 's'},
        {"role", required_argument, NULL, 'r'},
        {"org", required_argument, NULL, 'o'},
        {"caisse", required_argument, NULL, 'c'},
        {"sub", required_argument, NULL, 'u'},
        {"ttl", required_argument, NULL, 't'},
        {"now", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    unsigned char secret[SECRET_FILE_MAX];
    const char *secret_file = NULL, *secret_arg = NULL, *role = NULL, *org = NULL;
    const char *caisse = NULL, *sub = NULL;
    long ttl = DEFAULT_TTL, now = (long)time(NULL), secret_len;
    struct identity id;
    char *tok;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'f': secret_file = optarg; break;
        case 's': secret_arg = optarg; break;
        case 'r': role = optarg; break;
        case 'o': org = optarg; break;
        case 'c': caisse = optarg; break;
        case 'u': sub = optarg; break;
        case 't':
            if (!parse_long(optarg, 1, MAX_TTL, &ttl)) {
                fprintf(stderr, "epart-token: --ttl must be 1..%ld seconds\n", MAX_TTL);
                return 2;
            }
            break;
        case 'n':
            if (!parse_long(optarg, 0, 253402300799L, &now)) {
                fputs("epart-token: --now must be unix seconds\n", stderr);
                return 2;
            }
            break;
        case 'h': usage(); return 0;
        default: usage(); return 2;
        }
    }
    if (optind != argc || role == NULL || (secret_file != NULL && secret_arg != NULL)) {
        usage();
        return 2;
    }

    memset(&id, 0, sizeof(id));
    if (!role_parse(role, &id.role)) {
        fputs("epart-token: --role must be partner, instructor or admin\n", stderr);
        return 2;
    }
    if (id.role == ROLE_PARTNER) {
        if (!uuid_valid(org)) {
            fputs("epart-token: a partner needs --org <organisation UUID>\n", stderr);
            return 2;
        }
        memcpy(id.org, org, 37);
    } else if (id.role == ROLE_INSTRUCTOR) {
        if (caisse == NULL || caisse[0] == '\0' || strlen(caisse) > TOKEN_CAISSE_MAX ||
            strspn(caisse, "0123456789") != strlen(caisse)) {
            fputs("epart-token: an instructor needs --caisse <CPAM code, digits>\n", stderr);
            return 2;
        }
        strcpy(id.caisse, caisse);
    }
    if (sub == NULL) {
        snprintf(id.sub, sizeof(id.sub), "epart-token-%s", role_str(id.role));
    } else if (sub[0] == '\0' || strlen(sub) > TOKEN_SUB_MAX) {
        fprintf(stderr, "epart-token: --sub must be 1..%d bytes\n", TOKEN_SUB_MAX);
        return 2;
    } else {
        strcpy(id.sub, sub);
    }

    if (secret_file != NULL) {
        secret_len = read_secret_file(secret_file, secret, sizeof(secret));
        if (secret_len < 0)
            return 1;
    } else {
        const char *s = secret_arg != NULL ? secret_arg : getenv("EPART_JWT_SECRET");

        if (s == NULL) {
            fputs("epart-token: no secret: give --secret-file, --secret or EPART_JWT_SECRET\n",
                  stderr);
            return 2;
        }
        secret_len = (long)strnlen(s, sizeof(secret));
        if ((size_t)secret_len >= sizeof(secret)) {
            fputs("epart-token: secret too long\n", stderr);
            return 2;
        }
        memcpy(secret, s, (size_t)secret_len);
    }
    if (!token_secret_ok((size_t)secret_len)) {
        OPENSSL_cleanse(secret, sizeof(secret));
        fprintf(stderr, "epart-token: the secret must be at least %d bytes\n", TOKEN_SECRET_MIN);
        return 1;
    }

    tok = token_sign(&id, secret, (size_t)secret_len, (time_t)now, ttl);
    OPENSSL_cleanse(secret, sizeof(secret));
    if (tok == NULL) {
        fputs("epart-token: cannot sign the token (invalid --sub?)\n", stderr);
        return 1;
    }
    printf("%s\n", tok);
    free(tok);
    return fflush(stdout) == 0 ? 0 : 1;
}
