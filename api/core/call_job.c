/*
 * call_job.c — the queue of calls the pools' threads take work from (see
 * call_job.h).
 */
#include "core/call_job.h"

bool call_queue_push(struct call_queue *q, struct call *c)
{
    bool ok;

    c->job->next = NULL;
    pthread_mutex_lock(&q->lock);
    ok = !q->stop && (q->max == 0 || q->len < q->max);
    if (ok) {
        if (q->tail != NULL)
            q->tail->job->next = c;
        else
            q->head = c;
        q->tail = c;
        q->len++;
        pthread_cond_signal(&q->cond);
    }
    pthread_mutex_unlock(&q->lock);
    return ok;
}

struct call *call_queue_pop(struct call_queue *q)
{
    struct call *c;

    pthread_mutex_lock(&q->lock);
    while (q->head == NULL && !q->stop)
        pthread_cond_wait(&q->cond, &q->lock);
    c = q->head;
    if (c != NULL) {
        q->head = c->job->next;
        if (q->head == NULL)
            q->tail = NULL;
        q->len--;
    }
    pthread_mutex_unlock(&q->lock);
    return c;
}

void call_queue_stop(struct call_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->stop = true;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}
