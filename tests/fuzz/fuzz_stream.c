/*
 * fuzz_stream.c — the meta of a stream entry (common/stream.h), which the
 * worker reads from Redis: anyone who reached Redis could write one.
 *
 * stream_meta_parse() on the raw bytes (not NUL-terminated: a heap copy of
 * exactly size bytes, so an over-read is caught). Whatever it returns, every
 * text of the struct is NUL-terminated within its buffer. An accepted meta has
 * version STREAM_META_V and a non-empty id; building it again
 * (stream_meta_build) and parsing that gives the same struct back, member by
 * member. An unknown version is never taken for v1. stream_meta_object_id()
 * finds an id whenever the parse accepted the meta, and the same one.
 */
#include "fuzz_common.h"

#include <stdbool.h>

#include "jsonutil.h"
#include "stream.h"

#define TERMINATED(buf) FZ_ASSERT(memchr((buf), '\0', sizeof(buf)) != NULL)

static void terminated(const struct stream_meta *m)
{
    TERMINATED(m->entry);
    TERMINATED(m->id);
    TERMINATED(m->reference);
    TERMINATED(m->org);
    TERMINATED(m->caisse);
    TERMINATED(m->actor.sub);
    TERMINATED(m->actor.role);
    TERMINATED(m->actor.org);
    TERMINATED(m->actor.caisse);
    TERMINATED(m->remote);
    TERMINATED(m->status);
    TERMINATED(m->kind);
    TERMINATED(m->message_id);
    TERMINATED(m->org_kind);
}

static void same(const struct stream_meta *a, const struct stream_meta *b)
{
    FZ_ASSERT(strcmp(a->entry, b->entry) == 0 && strcmp(a->id, b->id) == 0);
    FZ_ASSERT(strcmp(a->reference, b->reference) == 0 && strcmp(a->org, b->org) == 0);
    FZ_ASSERT(strcmp(a->caisse, b->caisse) == 0 && a->has_actor == b->has_actor);
    FZ_ASSERT(strcmp(a->actor.sub, b->actor.sub) == 0);
    FZ_ASSERT(strcmp(a->actor.role, b->actor.role) == 0);
    FZ_ASSERT(strcmp(a->actor.org, b->actor.org) == 0);
    FZ_ASSERT(strcmp(a->actor.caisse, b->actor.caisse) == 0);
    FZ_ASSERT(strcmp(a->remote, b->remote) == 0 && strcmp(a->status, b->status) == 0);
    FZ_ASSERT(strcmp(a->kind, b->kind) == 0 && strcmp(a->message_id, b->message_id) == 0);
    /* received_at_us is always written: absent reads back as 0 */
    FZ_ASSERT(a->received_at_us == b->received_at_us);
    FZ_ASSERT(a->is_dossier_create == b->is_dossier_create);
    if (a->is_dossier_create) {
        FZ_ASSERT(strcmp(a->org_kind, b->org_kind) == 0);
        FZ_ASSERT(a->ame_habilitated == b->ame_habilitated);
        FZ_ASSERT(a->has_received_on == b->has_received_on);
        FZ_ASSERT(!a->has_received_on || cal_cmp(a->received_on, b->received_on) == 0);
        FZ_ASSERT(a->has_ame_deposit == b->has_ame_deposit);
        FZ_ASSERT(!a->has_ame_deposit || cal_cmp(a->ame_deposit_on, b->ame_deposit_on) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *raw = malloc(size > 0 ? size : 1);
    struct stream_meta m, back;
    char id[STREAM_ID_MAX + 1];
    enum stream_meta_rc rc;
    bool has_id;

    FZ_ASSERT(raw != NULL);
    if (size > 0)
        memcpy(raw, data, size);
    rc = stream_meta_parse(raw, size, &m);
    has_id = stream_meta_object_id(raw, size, id);
    TERMINATED(id);
    terminated(&m);
    if (rc == STREAM_META_OK) {
        json_t *o;
        char *text;

        FZ_ASSERT(m.v == STREAM_META_V && m.id[0] != '\0');
        FZ_ASSERT(has_id && strcmp(id, m.id) == 0);
        o = stream_meta_build(&m);
        FZ_ASSERT(o != NULL);
        text = json_text(o);
        json_decref(o);
        FZ_ASSERT(text != NULL);
        FZ_ASSERT(stream_meta_parse(text, strlen(text), &back) == STREAM_META_OK);
        same(&m, &back);
        free(text);
    } else if (rc == STREAM_META_UNKNOWN_VERSION) {
        FZ_ASSERT(m.v != STREAM_META_V);
    }
    free(raw);
    return 0;
}
