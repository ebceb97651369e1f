/*
 * jsonarena.h — Jansson's allocations of one request from one block of memory.
 *
 * Why: a POST /v1/dossiers builds and frees about 300 Jansson values (the
 * body's tree, the errors, the stream meta, the 202 body); malloc and free were
 * a quarter of its instructions. Jansson lets a program replace its allocator
 * (json_set_alloc_funcs); with json_arena_install(), a thread that has entered
 * an arena allocates from it by moving a pointer, free() of such memory does
 * nothing, and the whole arena goes at once when its request ends.
 *
 * The rules that keep it safe (the caller's, checked by ASan in the suites: a
 * pointer of an arena handed to free() is "not malloc()-ed"):
 * - Enter an arena only around code whose Jansson values all stay with one
 *   request (its body, its reply): never where a value may go into a cache or
 *   to another thread.
 * - Values of an arena are released (json_decref) only while that arena is
 *   the current one — api/core/server.c's call_free enters the call's arena to
 *   release the call's values — or not at all, before json_arena_free().
 * - What Jansson itself returns to be free()d (json_dumps) must not be asked
 *   for inside an arena: json_text() (jsonutil.h) writes into memory of its
 *   own and may be.
 * Outside any arena every allocation is plain malloc/free, so that the rest of
 * the program (and any library value) is unchanged.
 */
#ifndef EPART_JSONARENA_H
#define EPART_JSONARENA_H

#include <stddef.h>

struct json_arena;

/* Make Jansson allocate through the arenas; once, before any Jansson value
 * exists and before the threads start. */
void json_arena_install(void);

/* A new, empty arena (NULL when out of memory: then callers simply do not
 * enter one). Its memory comes from malloc in chunks, each twice the size of
 * the one before. */
struct json_arena *json_arena_new(void);

/* From now on this thread's Jansson allocations come from a (NULL: from the
 * heap). Returns the arena that was current, for json_arena_restore(). */
struct json_arena *json_arena_enter(struct json_arena *a);

/* Make prev current again (what json_arena_enter returned). */
void json_arena_restore(struct json_arena *prev);

/* Release every allocation of a at once; a must not be current on any thread
 * and no value of it may be used afterwards. NULL is fine. */
void json_arena_free(struct json_arena *a);

/* Release every allocation of a at once, as json_arena_free, but keep a for
 * the next unit of work with its largest chunk (up to keep_max bytes) so that
 * a loop doing the same work again allocates nothing from malloc once warm.
 * Why: the worker builds and drops a few megabytes of Jansson values per batch;
 * freeing them one by one, then a fresh arena's chunks, was half of its CPU
 * (malloc_consolidate, mmap and page faults; docs/BENCHMARKS.md, drain). */
void json_arena_reset(struct json_arena *a, size_t keep_max);

/* The bytes a holds from malloc (its chunks' sizes); 0 for NULL. */
size_t json_arena_bytes(const struct json_arena *a);

#endif
