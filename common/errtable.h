/*
 * errtable.h — a table of refusal reasons indexed by an enum: each reason has
 * a stable ASCII name (logs, metrics, the journal) and a French sentence (the
 * problem's detail). token.c and idtoken.c each keep one; an index beyond the
 * table, which only a bug could pass, reads as the table's fallback entry.
 *
 * Header only, pure.
 */
#ifndef EPART_ERRTABLE_H
#define EPART_ERRTABLE_H

#include <stddef.h>

struct err_entry {
    const char *name; /* "bad_signature", "expired"… */
    const char *text; /* in French, never anything from the input */
};

/* Entry i of table (n entries), or entry fallback when i is beyond it. */
static inline const struct err_entry *err_entry_at(const struct err_entry *table, size_t n,
                                                   unsigned i, unsigned fallback)
{
    return &table[i < n ? i : fallback];
}

#define ERR_ENTRY(table, i, fallback)                                                         \
    err_entry_at((table), sizeof(table) / sizeof((table)[0]), (unsigned)(i), (fallback))

#endif
