/*
 * vfield.c — field checks shared by the request validators.
 *
 * Character classes are decided on code points, decoded here from the UTF-8
 * that Jansson has already validated; a malformed sequence (possible only for
 * strings built with the *_nocheck API) is refused like a control character.
 */
#include "vfield.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fielderr.h"
#include "utf8.h"

void vf_init(vctx *v, json_t *errors)
{
    v->errors = errors;
    v->problems = 0;
}

void vf_error(vctx *v, const char *path, const char *code, const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    v->problems++;
    if (v->errors == NULL || json_array_size(v->errors) >= VF_MAX_LISTED)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fielderr_add(v->errors, path, code, "%s", msg);
}

/* A path cut at VF_PATH_MAX - 1 bytes may end inside a UTF-8 sequence of a
 * client's key; the error entry built from it would then be refused by
 * json_pack (invalid UTF-8) and silently left out, so that a 422 counted a
 * problem it did not list (found by tests/fuzz/fuzz_dossier.c). Drop the
 * partial character. */
static void cut_path(char *buf, int written)
{
    if (written >= VF_PATH_MAX)
        utf8_drop_partial_tail(buf);
}

/* What snprintf(buf, VF_PATH_MAX, "%s%s%s", a, b, c) writes, and the length
 * it returns, without the format machinery: a path is joined for every field
 * checked, and snprintf was about a tenth of the ingest path's time (profile in
 * docs/BENCHMARKS.md). memmove: buf may be one of the parts. */
static int join3(char *buf, const char *a, const char *b, const char *c)
{
    const char *parts[3] = {a, b, c};
    size_t lens[3], used = 0, total = 0;

    for (int i = 0; i < 3; i++) {
        lens[i] = strlen(parts[i]);
        total += lens[i];
    }
    for (int i = 0; i < 3 && used < VF_PATH_MAX - 1; i++) {
        size_t room = VF_PATH_MAX - 1 - used;
        size_t n = lens[i] < room ? lens[i] : room;

        memmove(buf + used, parts[i], n);
        used += n;
    }
    buf[used] = '\0';
    return total > (size_t)INT_MAX ? INT_MAX : (int)total;
}

char *vf_join(char *buf, const char *parent, const char *key)
{
    if (parent == NULL || parent[0] == '\0')
        cut_path(buf, join3(buf, "", "", key));
    else
        cut_path(buf, join3(buf, parent, ".", key));
    return buf;
}

char *vf_index(char *buf, const char *parent, size_t i)
{
    char idx[32], *p = idx + sizeof(idx);

    *--p = '\0';
    *--p = ']';
    do {
        *--p = (char)('0' + i % 10);
        i /= 10;
    } while (i > 0);
    *--p = '[';
    cut_path(buf, join3(buf, parent, "", p));
    return buf;
}

static bool absent(const json_t *val)
{
    return val == NULL || json_is_null(val);
}

static const char *json_type_fr(const json_t *val)
{
    switch (json_typeof(val)) {
    case JSON_OBJECT:
        return "un objet";
    case JSON_ARRAY:
        return "un tableau";
    case JSON_STRING:
        return "une chaîne";
    case JSON_INTEGER:
    case JSON_REAL:
        return "un nombre";
    case JSON_TRUE:
    case JSON_FALSE:
        return "un booléen";
    case JSON_NULL:
        return "null";
    }
    return "une valeur";
}

/* The common start of every check: an absent value (VF_ABSENT, or VF_BAD with
 * "required"), then its JSON type (VF_BAD with "invalid_type" naming want).
 * VF_OK when the value is there and of the type, and the caller goes on.
 * JSON_TRUE stands for either boolean. */
static vf_res present_as(vctx *v, const char *path, const json_t *val, unsigned flags,
                         json_type type, const char *want)
{
    if (absent(val)) {
        if (!(flags & VF_REQUIRED))
            return VF_ABSENT;
        vf_error(v, path, "required", "champ obligatoire");
        return VF_BAD;
    }
    if (type == JSON_TRUE ? !json_is_boolean(val) : json_typeof(val) != type) {
        vf_error(v, path, "invalid_type", "%s attendu, %s reçu", want, json_type_fr(val));
        return VF_BAD;
    }
    return VF_OK;
}

/* Decode one code point at *p, advancing it; -1 for a malformed sequence. */
static int32_t utf8_next(const unsigned char **p)
{
    const unsigned char *s = *p;
    int32_t cp;
    int more;

    if (s[0] < 0x80) {
        *p = s + 1;
        return s[0];
    }
    if ((s[0] & 0xE0) == 0xC0) {
        cp = s[0] & 0x1F;
        more = 1;
    } else if ((s[0] & 0xF0) == 0xE0) {
        cp = s[0] & 0x0F;
        more = 2;
    } else if ((s[0] & 0xF8) == 0xF0) {
        cp = s[0] & 0x07;
        more = 3;
    } else {
        return -1;
    }
    for (int i = 1; i <= more; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1; /* also stops at the NUL */
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *p = s + 1 + more;
    return cp;
}

size_t vf_utf8_length(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* Characters never accepted in text: controls and the invisible format
 * characters that let a string display differently from what it holds. */
static bool forbidden(int32_t c, bool multiline)
{
    if (c == '\t' || c == '\n' || c == '\r')
        return !multiline;
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x200B && c <= 0x200F) ||
           (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) ||
           (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF || c == 0xFFFE || c == 0xFFFF;
}

static bool is_ascii_letter(int32_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Names: ASCII letters, space, hyphen, apostrophe, dot; beyond ASCII, the Latin-1
 * symbols (U+00A0..U+00BF, ×, ÷) are refused and everything else (accented
 * letters, other scripts, the typographic apostrophe) is taken as a letter. */
static bool name_char(int32_t c, bool *letter)
{
    if (is_ascii_letter(c) || (c >= 0xC0 && c != 0xD7 && c != 0xF7)) {
        *letter = true;
        return true;
    }
    return c == ' ' || c == '-' || c == '\'' || c == '.';
}

static bool is_blank(int32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xA0;
}

vf_res vf_string(vctx *v, const char *path, const json_t *val, unsigned flags, size_t max,
                 const char **out)
{
    vf_res res = present_as(v, path, val, flags, JSON_STRING, "une chaîne");
    const char *s;
    const unsigned char *p;
    bool blank = true, letter = false;

    if (res != VF_OK)
        return res;
    s = json_string_value(val);
    if (strlen(s) != json_string_length(val)) {
        vf_error(v, path, "invalid_format", "caractère nul interdit");
        return VF_BAD;
    }
    if (vf_utf8_length(s) > max) {
        vf_error(v, path, "too_long", "%zu caractères au plus", max);
        return VF_BAD;
    }
    for (p = (const unsigned char *)s; *p != '\0';) {
        int32_t c;

        /* most text is plain ASCII: printable bytes need no decoding */
        if (*p >= 0x20 && *p < 0x7F && !(flags & VF_NAME)) {
            if (*p != ' ')
                blank = false;
            p++;
            continue;
        }
        c = utf8_next(&p);

        if (c < 0 || forbidden(c, (flags & VF_MULTILINE) != 0)) {
            vf_error(v, path, "invalid_format", "caractère de contrôle interdit");
            return VF_BAD;
        }
        if ((flags & VF_NAME) && !name_char(c, &letter)) {
            vf_error(v, path, "invalid_format",
                     "seuls les lettres, espaces, traits d'union, apostrophes et points sont "
                     "admis dans un nom");
            return VF_BAD;
        }
        if (!is_blank(c))
            blank = false;
    }
    if (blank) {
        if (flags & VF_REQUIRED)
            vf_error(v, path, "required", "champ obligatoire (chaîne vide)");
        else
            vf_error(v, path, "invalid_format", "chaîne vide : envoyer null ou omettre le champ");
        return VF_BAD;
    }
    if ((flags & VF_NAME) && !letter) {
        vf_error(v, path, "invalid_format", "un nom doit contenir au moins une lettre");
        return VF_BAD;
    }
    if (out != NULL)
        *out = s;
    return VF_OK;
}

vf_res vf_format(vctx *v, const char *path, const json_t *val, unsigned flags, size_t max,
                 bool (*ok)(const char *), const char *what, const char **out)
{
    const char *s;
    vf_res res = vf_string(v, path, val, flags, max, &s);

    if (res != VF_OK)
        return res;
    if (!ok(s)) {
        vf_error(v, path, "invalid_format", "%s invalide", what);
        return VF_BAD;
    }
    if (out != NULL)
        *out = s;
    return VF_OK;
}

bool vf_in_set(const char *s, const char *const *set)
{
    if (s == NULL)
        return false;
    for (; *set != NULL; set++)
        if (strcmp(s, *set) == 0)
            return true;
    return false;
}

vf_res vf_enum(vctx *v, const char *path, const json_t *val, unsigned flags,
               const char *const *set, const char **out)
{
    vf_res res = present_as(v, path, val, flags, JSON_STRING, "une chaîne");
    const char *s;
    char list[300];
    size_t used = 0;

    if (res != VF_OK)
        return res;
    s = json_string_value(val);
    /* strlen guards against an embedded NUL making "ame\u0000x" pass as "ame". */
    if (strlen(s) == json_string_length(val) && vf_in_set(s, set)) {
        if (out != NULL)
            *out = s;
        return VF_OK;
    }
    list[0] = '\0';
    for (const char *const *e = set; *e != NULL && used < sizeof(list); e++) {
        int w = snprintf(list + used, sizeof(list) - used, "%s%s", e == set ? "" : ", ", *e);

        if (w < 0)
            break;
        used += (size_t)w;
    }
    vf_error(v, path, "invalid_enum", "valeur non admise ; valeurs possibles : %s", list);
    return VF_BAD;
}

vf_res vf_enum_set(vctx *v, const char *path, const json_t *val, unsigned flags, size_t max,
                   const char *const *set, const char *duplicate)
{
    char item[VF_PATH_MAX];
    vf_res res = vf_array(v, path, val, flags, max);
    size_t i;
    json_t *e;

    if (res != VF_OK)
        return res;
    json_array_foreach(val, i, e) {
        vf_index(item, path, i);
        if (vf_enum(v, item, e, VF_REQUIRED, set, NULL) != VF_OK)
            continue;
        for (size_t j = 0; j < i; j++) {
            if (json_equal(json_array_get(val, j), e)) {
                vf_error(v, item, "duplicate", "%s", duplicate);
                break;
            }
        }
    }
    return res;
}

vf_res vf_date(vctx *v, const char *path, const json_t *val, unsigned flags, cal_date today,
               cal_date *out)
{
    vf_res res = present_as(v, path, val, flags, JSON_STRING, "une date AAAA-MM-JJ");
    cal_date d;

    if (res != VF_OK)
        return res;
    if (json_string_length(val) != 10 || !cal_parse(json_string_value(val), &d)) {
        vf_error(v, path, "invalid_date", "date réelle au format AAAA-MM-JJ attendue");
        return VF_BAD;
    }
    if ((flags & VF_NOT_FUTURE) && cal_cmp(d, today) > 0) {
        char buf[CAL_DATE_LEN];

        vf_error(v, path, "future_date", "la date ne peut pas être postérieure au %s",
                 cal_format(today, buf));
        return VF_BAD;
    }
    if (out != NULL)
        *out = d;
    return VF_OK;
}

vf_res vf_bool(vctx *v, const char *path, const json_t *val, unsigned flags, bool *out)
{
    vf_res res = present_as(v, path, val, flags, JSON_TRUE, "un booléen (true ou false)");

    if (res != VF_OK)
        return res;
    if (out != NULL)
        *out = json_is_true(val);
    return VF_OK;
}

vf_res vf_integer(vctx *v, const char *path, const json_t *val, unsigned flags, json_int_t lo,
                  json_int_t hi, json_int_t *out)
{
    vf_res res = present_as(v, path, val, flags, JSON_INTEGER, "un entier");
    json_int_t n;

    if (res != VF_OK)
        return res;
    n = json_integer_value(val);
    if (n < lo || n > hi) {
        vf_error(v, path, "invalid_range", "entier entre %" JSON_INTEGER_FORMAT " et %"
                 JSON_INTEGER_FORMAT " attendu", lo, hi);
        return VF_BAD;
    }
    if (out != NULL)
        *out = n;
    return VF_OK;
}

vf_res vf_object(vctx *v, const char *path, const json_t *val, unsigned flags,
                 const char *const *allowed)
{
    vf_res res = present_as(v, path, val, flags, JSON_OBJECT, "un objet");
    const char *key;
    json_t *member;
    char p[VF_PATH_MAX];

    if (res != VF_OK)
        return res;
    /* Unknown keys are refused rather than ignored: a client must not be able to
     * set what the server owns (status, id, org, version...) by adding it. */
    json_object_foreach((json_t *)val, key, member) {
        (void)member;
        if (!vf_in_set(key, allowed))
            vf_error(v, vf_join(p, path, key), "unknown_field", "champ inconnu");
    }
    return VF_OK;
}

vf_res vf_array(vctx *v, const char *path, const json_t *val, unsigned flags, size_t max)
{
    vf_res res;

    if ((flags & VF_NONEMPTY) && json_is_array(val) && json_array_size(val) == 0)
        val = NULL;
    res = present_as(v, path, val, flags, JSON_ARRAY, "un tableau");
    if (res != VF_OK)
        return res;
    if (json_array_size(val) > max) {
        vf_error(v, path, "too_many", "%zu éléments au plus", max);
        return VF_BAD;
    }
    return VF_OK;
}

/* ---- formats ------------------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_digit(c) || is_ascii_letter((unsigned char)c);
}

static bool email_local_char(char c)
{
    return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

bool vf_is_email(const char *s)
{
    const char *at = strchr(s, '@');
    const char *label;
    size_t len = strlen(s), local, labels = 0;
    bool last_all_digits = true;

    if (at == NULL || len > 254 || strchr(at + 1, '@') != NULL)
        return false;
    local = (size_t)(at - s);
    if (local == 0 || local > 64 || s[0] == '.' || at[-1] == '.')
        return false;
    for (const char *c = s; c < at; c++) {
        if (*c == '.' ? c[1] == '.' : !email_local_char(*c))
            return false;
    }
    /* Domain: labels of 1..63 letters, digits and inner hyphens. */
    label = at + 1;
    for (;;) {
        const char *c = label;

        last_all_digits = true;
        while (is_alnum(*c) || *c == '-') {
            if (!is_digit(*c))
                last_all_digits = false;
            c++;
        }
        if (c == label || c - label > 63 || label[0] == '-' || c[-1] == '-')
            return false;
        labels++;
        if (*c == '\0')
            break;
        if (*c != '.')
            return false;
        label = c + 1;
    }
    return labels >= 2 && !last_all_digits;
}

bool vf_is_phone(const char *s)
{
    size_t digits = 0;
    bool intl = false;
    char first = '\0';
    const char *c = s;

    if (*c == '+') {
        intl = true;
        c++;
    }
    if (!is_digit(*c))
        return false;
    for (; *c != '\0'; c++) {
        if (is_digit(*c)) {
            if (digits == 0)
                first = *c;
            digits++;
        } else if (*c == ' ' || *c == '.' || *c == '-') {
            if (!is_digit(c[1]))
                return false; /* a separator must sit between two digits */
        } else {
            return false;
        }
    }
    if (intl)
        return first != '0' && digits >= 8 && digits <= 15;
    return first == '0' && digits == 10;
}

bool vf_is_postal_code(const char *s)
{
    if (strlen(s) != 5 || !is_digit(s[2]) || !is_digit(s[3]) || !is_digit(s[4]))
        return false;
    if (s[0] == '2' && (s[1] == 'A' || s[1] == 'B'))
        return true;
    return is_digit(s[0]) && is_digit(s[1]) && !(s[0] == '0' && s[1] == '0');
}

bool vf_is_language(const char *s)
{
    size_t n = strlen(s);

    if (n < 2 || n > 3)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_ascii_letter((unsigned char)s[i]))
            return false;
    return true;
}

bool vf_is_sha256(const char *s)
{
    for (int i = 0; i < 64; i++) {
        char c = s[i];

        if (!(is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return s[64] == '\0';
}
