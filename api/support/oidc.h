/*
 * oidc.h — the API's link to the deployment's OpenID Connect provider
 * (SPEC §13): its discovery document and its keys (JWKS), fetched with libcurl
 * on a thread of their own and cached.
 *
 * Nothing here ever waits on a thread that serves other requests: the HTTP
 * threads read the cached keys (a reference-counted, immutable set swapped
 * under a mutex) and, when a token names a kid the set lacks, hand the call to
 * the provider thread, which fetches the set again and gives the call back to
 * its HTTP thread (server_complete) to go on. An unknown kid refetches the set
 * at most once per EPART_OIDC_JWKS_REFRESH_MIN seconds (60), so forged kids
 * cannot make epart hammer the provider; the set is also refetched in the
 * background every EPART_OIDC_JWKS_MAX_AGE seconds, and kept when a fetch fails.
 *
 * Every fetch is bounded (EPART_OIDC_HTTP_TIMEOUT_MS, 256 KiB, no redirects,
 * https only — http only when the issuer itself is a loopback address), and
 * the discovery document must name the configured issuer exactly.
 */
#ifndef EPART_API_OIDC_H
#define EPART_API_OIDC_H

#include <jansson.h>
#include <stdbool.h>

#include "jwk.h"
#include "core/server.h"

/* True when EPART_OIDC_ISSUER is set. */
bool oidc_enabled(void);

/* Start the provider thread (a no-op without an issuer); it fetches the
 * discovery document and the keys at once. Returns 0 or -1. */
int oidc_start(void);
void oidc_stop(void);

/* The current key set, or NULL when none was ever fetched. Hold it across the
 * verification and give it back with oidc_keys_release(handle). */
const struct jwks *oidc_keys_acquire(void **handle);
void oidc_keys_release(void *handle);

enum oidc_refresh {
    OIDC_REFRESH_QUEUED,   /* cont(c) will run on c's HTTP thread after the fetch */
    OIDC_REFRESH_TOO_SOON, /* the set was fetched less than the minimum interval ago */
    OIDC_REFRESH_BUSY      /* too many calls already wait: answer 503 */
};

/* Ask for the key set to be fetched again because a token named an unknown
 * kid; from c's HTTP thread. */
enum oidc_refresh oidc_refresh(struct call *c, void (*cont)(struct call *c));

/* An authorization code to exchange at the provider's token endpoint (a
 * confidential client: the secret never leaves the API). */
struct oidc_exchange {
    char *code;          /* in (owned by the caller) */
    char *code_verifier; /* in: PKCE */
    char *id_token;      /* out: malloc'd, NULL on failure */
    int status;          /* out: 0 ok, 401 the provider refused the code, 503 unreachable */
};

/* Exchange x->code on the provider thread (redirect URI <EPART_PUBLIC_URL>/app/callback,
 * client_secret_basic or client_secret_post as the provider supports), then run
 * cont(c) on c's HTTP thread. OIDC_REFRESH_BUSY when too many calls wait. */
enum oidc_refresh oidc_exchange(struct call *c, struct oidc_exchange *x,
                                void (*cont)(struct call *c));

/* True when the last fetch from the provider succeeded. */
bool oidc_provider_ok(void);

/* The endpoints of the discovery document (new reference): {"authorization_endpoint",
 * "token_endpoint","end_session_endpoint"}, each a string or null, and
 * "id_token_signing_alg_values_supported" (those of RS256 and ES256 it offers). */
json_t *oidc_endpoints(void);

/* Fetches made so far (for /metrics and the tests). */
long oidc_jwks_fetches(void);

#endif
