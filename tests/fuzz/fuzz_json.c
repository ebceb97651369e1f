/*
 * fuzz_json.c — the fast path to a Jansson tree (common/jsonfast.h) against
 * Jansson itself, on arbitrary bytes (every request body goes through it).
 *
 * On a heap copy of exactly size bytes (an over-read is caught): whenever
 * json_fast_loadb() returns a tree, json_loadb(…, JSON_REJECT_DUPLICATES) must
 * return an equal one (json_equal: same members in the same values, integers
 * as integers, the same reals), its objects must keep Jansson's member order
 * (their dumps are equal byte for byte), and the tree nests no deeper than
 * asked. It may give up where Jansson accepts (that is only slower), never the
 * other way round. json_loadb_fast() always answers as json_loadb() does.
 * And of every tree Jansson read, json_fast_dump() writes the very text
 * json_dumps() does (JSON_COMPACT, with and without JSON_ENSURE_ASCII), and
 * json_text_compact() (jsonutil.h) of its text is the same value again.
 */
#include "fuzz_common.h"

#include "jsonfast.h"
#include "jsonutil.h"

static int depth_of(const json_t *v)
{
    int d = 0;
    size_t i;
    const char *k;
    json_t *x;

    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, x) {
            int e = depth_of(x);

            d = e > d ? e : d;
        }
        return d + 1;
    }
    if (json_is_array(v)) {
        json_array_foreach(v, i, x) {
            int e = depth_of(x);

            d = e > d ? e : d;
        }
        return d + 1;
    }
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size > 0 ? size : 1);
    json_error_t err;
    json_t *fast, *ref, *both;

    if (buf == NULL)
        abort();
    if (size > 0)
        memcpy(buf, data, size);
    fast = json_fast_loadb(buf, size, FZ_JSON_DEPTH);
    ref = json_loadb(buf, size, JSON_REJECT_DUPLICATES, &err);
    if (fast != NULL) {
        char *a, *b;

        FZ_ASSERT(ref != NULL);
        FZ_ASSERT(json_equal(fast, ref));
        FZ_ASSERT(depth_of(fast) <= FZ_JSON_DEPTH);
        a = json_dumps(fast, JSON_COMPACT | JSON_ENCODE_ANY);
        b = json_dumps(ref, JSON_COMPACT | JSON_ENCODE_ANY);
        FZ_ASSERT(a != NULL && b != NULL && strcmp(a, b) == 0);
        free(a);
        free(b);
    }
    if (ref != NULL) {
        for (int ascii = 0; ascii <= 1; ascii++) {
            char *a = json_dumps(ref, JSON_COMPACT | (ascii ? JSON_ENSURE_ASCII : 0));
            struct text_buf t = {0};
            int rc = json_fast_dump(ref, ascii, text_buf_add, &t);

            FZ_ASSERT((rc == 0) == (a != NULL));
            FZ_ASSERT(rc != 0 || (t.len == strlen(a) && memcmp(t.s, a, t.len) == 0));
            free(a);
            text_buf_free(&t);
        }
        /* the text without its whitespace is the same JSON value */
        {
            struct text_buf t = {0};
            json_t *again;

            FZ_ASSERT(json_text_compact(&t, buf, size) == 0);
            again = json_loadb(t.s, t.len, JSON_REJECT_DUPLICATES, &err);
            FZ_ASSERT(again != NULL && json_equal(again, ref));
            json_decref(again);
            text_buf_free(&t);
        }
    }
    both = json_loadb_fast(buf, size, JSON_REJECT_DUPLICATES, &err);
    FZ_ASSERT((both == NULL) == (ref == NULL));
    FZ_ASSERT(both == NULL || json_equal(both, ref));
    json_decref(both);
    json_decref(fast);
    json_decref(ref);
    free(buf);
    return 0;
}
