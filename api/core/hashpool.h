/*
 * hashpool.h — the threads that hash client secrets (SPEC §3).
 *
 * Verifying a client secret is a deliberately slow PBKDF2 (tens of
 * milliseconds). Run on the database threads, as it was, a crowd of wrong
 * secrets held them all and every organisation's reads waited (issue 9,
 * finding 5). It runs here instead: EPART_HASH_THREADS threads of their own, at
 * a lower scheduling priority than the threads serving requests, fed by a
 * queue of at most EPART_HASH_QUEUE calls; a call that finds the queue full is
 * refused at once (503) rather than waiting.
 *
 * A job is fn(c) on a hash thread; the call then returns to its HTTP thread the
 * way database jobs do (server_complete): its reply is sent, or call_then's
 * function runs when the job left the status at 0.
 */
#ifndef EPART_API_HASHPOOL_H
#define EPART_API_HASHPOOL_H

#include <stdbool.h>

#include "core/server.h"

/* Start the hash threads. */
int hashpool_start(int nthreads, int queue_max);

/* Stop and join them, after the calls already queued. */
void hashpool_stop(void);

/* Queue fn(c) for a hash thread. False, with nothing queued, when the queue is
 * full. Call from c's HTTP thread. */
bool hashpool_submit(struct call *c, void (*fn)(struct call *c));

#endif
