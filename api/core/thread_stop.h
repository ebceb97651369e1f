/* One way to stop a background thread of the API (the audit writer, the OpenID
 * provider's fetcher, the revocations follower): each waits on a condition under
 * a mutex until its `stopping` flag is set. */
#ifndef EPART_THREAD_STOP_H
#define EPART_THREAD_STOP_H

#include <pthread.h>
#include <stdbool.h>

/* If *started: sets *stopping under lock, wakes the thread on cond, waits for
 * its end, clears *started and returns true. Otherwise does nothing, false. */
bool thread_stop(bool *started, pthread_t thread, pthread_mutex_t *lock, pthread_cond_t *cond,
                 bool *stopping);

#endif
