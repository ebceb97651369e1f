/*
 * jsonarena.c — bump allocation of Jansson values per request (see jsonarena.h).
 *
 * An arena is a list of chunks, the newest first; each allocation is rounded
 * up to 16 bytes (Jansson's values hold pointers, long long and double). A
 * chunk twice the size of the previous one (or the request's size) is added
 * when the newest is full. free() of an arena's pointer is recognised by its
 * address falling in one of the current arena's chunks: a request has one or
 * two, so the test costs a few comparisons.
 */
#include "jsonarena.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define FIRST_CHUNK (16 * 1024)
#define ALIGN 16

struct chunk {
    struct chunk *next;
    size_t size, used;
    _Alignas(ALIGN) unsigned char data[];
};

struct json_arena {
    struct chunk *chunks;
};

static __thread struct json_arena *current;

static struct chunk *chunk_new(size_t size, struct chunk *next)
{
    struct chunk *c = malloc(sizeof(*c) + size);

    if (c != NULL) {
        c->next = next;
        c->size = size;
        c->used = 0;
    }
    return c;
}

static bool owns(const struct json_arena *a, const void *p)
{
    uintptr_t q = (uintptr_t)p;

    for (const struct chunk *c = a->chunks; c != NULL; c = c->next)
        if (q >= (uintptr_t)c->data && q < (uintptr_t)c->data + c->size)
            return true;
    return false;
}

static void *arena_malloc(size_t n)
{
    struct json_arena *a = current;
    struct chunk *c;
    size_t need;

    if (a == NULL)
        return malloc(n);
    need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (need < n)
        return NULL;
    c = a->chunks;
    if (c == NULL || c->size - c->used < need) {
        size_t size = c != NULL ? c->size * 2 : FIRST_CHUNK;

        if (size < need)
            size = need;
        if ((c = chunk_new(size, a->chunks)) == NULL)
            return NULL;
        a->chunks = c;
    }
    c->used += need;
    return c->data + c->used - need;
}

static void arena_free(void *p)
{
    struct json_arena *a = current;

    if (p == NULL || (a != NULL && owns(a, p)))
        return; /* released with the whole arena */
    free(p);
}

void json_arena_install(void)
{
    json_set_alloc_funcs(arena_malloc, arena_free);
}

struct json_arena *json_arena_new(void)
{
    return calloc(1, sizeof(struct json_arena));
}

struct json_arena *json_arena_enter(struct json_arena *a)
{
    struct json_arena *prev = current;

    current = a;
    return prev;
}

void json_arena_restore(struct json_arena *prev)
{
    current = prev;
}

void json_arena_free(struct json_arena *a)
{
    struct chunk *c, *next;

    if (a == NULL)
        return;
    for (c = a->chunks; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

void json_arena_reset(struct json_arena *a, size_t keep_max)
{
    struct chunk *c, *next, *keep = NULL;

    if (a == NULL)
        return;
    /* the newest chunk is the largest: chunks double */
    for (c = a->chunks; c != NULL; c = next) {
        next = c->next;
        if (keep == NULL && c->size <= keep_max)
            keep = c;
        else
            free(c);
    }
    if (keep != NULL) {
        keep->next = NULL;
        keep->used = 0;
    }
    a->chunks = keep;
}

size_t json_arena_bytes(const struct json_arena *a)
{
    size_t n = 0;

    for (const struct chunk *c = a != NULL ? a->chunks : NULL; c != NULL; c = c->next)
        n += c->size;
    return n;
}
