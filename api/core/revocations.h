/*
 * revocations.h — API clients revoked recently, for the tokens already issued.
 *
 * DELETE /v1/organisations/{id}/clients/{client_id} revokes a client at once
 * (SPEC §3): it gets no new token, and the tokens it holds stop working too.
 * A token minted by POST /v1/auth/token carries the client_id as its sub; a
 * partner call whose sub is a revoked client is a 401. Tokens live an hour, so
 * only the clients revoked within the last two hours matter: a thread of the
 * API reads them from PostgreSQL (api_clients.revoked_at, the one record of a
 * revocation, which every node of §14 shares) every second into a small sorted
 * set, and the node that revokes adds the client to its own set at once. A
 * PostgreSQL that cannot be reached leaves the last set in force.
 */
#ifndef EPART_API_REVOCATIONS_H
#define EPART_API_REVOCATIONS_H

#include <stdbool.h>

/* Start the follower thread. */
int revocations_start(void);

/* Stop and join it. */
void revocations_stop(void);

/* True when client_id was revoked within the tokens' lifetime. Thread-safe. */
bool revocations_contains(const char *client_id);

/* Add client_id now (the node that revoked it). */
void revocations_add(const char *client_id);

#endif
