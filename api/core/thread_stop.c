/* See thread_stop.h. */
#include "core/thread_stop.h"

bool thread_stop(bool *started, pthread_t thread, pthread_mutex_t *lock, pthread_cond_t *cond,
                 bool *stopping)
{
    if (!*started)
        return false;
    pthread_mutex_lock(lock);
    *stopping = true;
    pthread_cond_signal(cond);
    pthread_mutex_unlock(lock);
    pthread_join(thread, NULL);
    *started = false;
    return true;
}
