/*
 * preinstruction.c — required pieces, completeness and the rights proposal of a
 * dossier (SPEC §7).
 *
 * Two halves. The table half reads and checks the "pieces requises" table; it
 * is strict because the table is configuration, and a typo there would quietly
 * stop asking for a piece. The run half applies a table to one dossier; it is
 * lenient because it works on stored data, which must never make a worker
 * crash: whatever it cannot read counts for nothing and is reported in a check.
 *
 * The proposal is the rights engine's own output (droits.h, droits_json.h), so
 * the pre-instruction, POST /v1/droits/simulation and `decide` agree.
 */
#include "preinstruction.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "droits.h"
#include "dossier_labels.h"
#include "droits_json.h"
#include "utf8.h"

/* The built-in table. deploy/pieces-requises.json holds the same document (a
 * unit test keeps them equal). titre_sejour counts as identity: a residence
 * permit is an official document with photograph and civil status, and the
 * caisse accepts it as such. */
static const char default_table[] =
    "{\"description\": \"Pièces requises pour la pré-instruction des dossiers (SPEC §7). "
    "Chaque exigence est satisfaite par une pièce de l'un des types de any_of ; le premier "
    "type est celui signalé manquant.\","
    " \"requirements\": ["
    "  {\"code\": \"identite\", \"label\": \"Pièce d'identité ou titre de séjour\","
    "   \"any_of\": [\"identite\", \"titre_sejour\"],"
    "   \"prestations\": [\"puma\", \"css\", \"ame\"]},"
    "  {\"code\": \"residence\", \"label\": \"Justificatif de domicile ou attestation de "
    "domiciliation\","
    "   \"any_of\": [\"justificatif_domicile\", \"attestation_domiciliation\"],"
    "   \"prestations\": [\"puma\", \"css\", \"ame\"]},"
    "  {\"code\": \"ressources\", \"label\": \"Justificatif de ressources\","
    "   \"any_of\": [\"justificatif_ressources\"], \"prestations\": [\"css\", \"ame\"]},"
    "  {\"code\": \"soins\", \"label\": \"Justificatif des soins\","
    "   \"any_of\": [\"justificatif_soins\"], \"when\": \"retroactive\"}"
    " ]}";

/* The piece kinds of SPEC §4, in its order: dossier_piece_kinds. */
#define N_KINDS DOSSIER_PIECE_KIND_COUNT

/* The rights engine's start-date rules: they say which rule gave the start, and
 * ok=false there means "does not apply", not "failed". They stay in the
 * proposal; every other check of the engine is an eligibility condition and is
 * repeated in the pre-instruction's checks. A rule added to the engine and not
 * listed here is shown rather than hidden. */
static const char *const start_rules[] = {"css_hospitalisation", "css_urgence",
                                          "css_mois_suivant_decision", "css_debut_puma",
                                          "ame_retroactivite_soins", "ame_soins_urgents", NULL};

/* Dates beyond this would overflow cal_date's four-digit year once the engine
 * adds its twelve months (droits_json.c refuses them the same way). */
#define MAX_YEAR 9998

#define DETAIL_LEN 1024

/* ---- small helpers ----------------------------------------------------------- */

/* A JSON string without embedded NUL, as a C string; NULL otherwise. */
static const char *plain_string(const json_t *v)
{
    const char *s;

    if (!json_is_string(v))
        return NULL;
    s = json_string_value(v);
    return json_string_length(v) == strlen(s) ? s : NULL;
}

static int kind_index(const char *s)
{
    if (s == NULL)
        return -1;
    for (int i = 0; i < N_KINDS; i++)
        if (strcmp(s, dossier_piece_kinds[i]) == 0)
            return i;
    return -1;
}

static bool known_kind(const char *s)
{
    return kind_index(s) >= 0;
}

static bool known_prestation(const char *s)
{
    enum droits_prestation p;

    return droits_prestation_parse(s, &p);
}

static bool code_valid(const char *s)
{
    size_t n;

    if (s == NULL || !(s[0] >= 'a' && s[0] <= 'z'))
        return false;
    n = strlen(s);
    if (n > PREINSTRUCTION_CODE_MAX)
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

/* Append to a fixed buffer, silently stopping when it is full. */
static void append(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t cap, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;

    if (len + 1 >= cap)
        return;
    va_start(ap, fmt);
    vsnprintf(buf + len, cap - len, fmt, ap);
    va_end(ap);
}

/* A date the engine can safely compute with. */
static bool usable(cal_date d)
{
    return cal_valid(d) && d.y <= MAX_YEAR;
}

/* ---- the table ------------------------------------------------------------------ */

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err != NULL && errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* The first member of obj not in allowed, or NULL. */
static const char *unknown_member(const json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)obj, key, v) {
        size_t i;

        (void)v;
        for (i = 0; allowed[i] != NULL; i++)
            if (strcmp(key, allowed[i]) == 0)
                break;
        if (allowed[i] == NULL)
            return key;
    }
    return NULL;
}

/* A list of distinct names from a closed set (any_of, prestations). */
static int check_name_list(const json_t *list, size_t max, bool (*known)(const char *),
                           const char *what, size_t r, const char *member, char *err,
                           size_t errlen)
{
    size_t n;

    if (!json_is_array(list))
        return fail(err, errlen, "requirements[%zu].%s: expected an array of %ss", r, member,
                    what);
    n = json_array_size(list);
    if (n == 0 || n > max)
        return fail(err, errlen, "requirements[%zu].%s: expected 1 to %zu %ss", r, member, max,
                    what);
    for (size_t i = 0; i < n; i++) {
        const char *s = plain_string(json_array_get(list, i));

        if (s == NULL)
            return fail(err, errlen, "requirements[%zu].%s[%zu]: expected a string", r, member,
                        i);
        if (!known(s))
            return fail(err, errlen, "requirements[%zu].%s[%zu]: unknown %s \"%.40s\"", r,
                        member, i, what, s);
        for (size_t j = 0; j < i; j++)
            if (strcmp(s, json_string_value(json_array_get(list, j))) == 0)
                return fail(err, errlen, "requirements[%zu].%s[%zu]: \"%s\" is listed twice",
                            r, member, i, s);
    }
    return 0;
}

static int check_requirement(const json_t *reqs, size_t r, char *err, size_t errlen)
{
    static const char *const members[] = {"code", "label", "any_of", "prestations", "when",
                                          NULL};
    const json_t *req = json_array_get(reqs, r);
    const json_t *label, *prestations, *when;
    const char *code, *unknown, *w;

    if (!json_is_object(req))
        return fail(err, errlen, "requirements[%zu]: expected an object", r);
    unknown = unknown_member(req, members);
    if (unknown != NULL)
        return fail(err, errlen,
                    "requirements[%zu]: unknown member \"%.40s\" (expected code, label, any_of, "
                    "prestations, when)",
                    r, unknown);

    code = plain_string(json_object_get(req, "code"));
    if (code == NULL || !code_valid(code))
        return fail(err, errlen,
                    "requirements[%zu].code: expected a string of 1 to %d characters a-z, 0-9, _ "
                    "starting with a letter",
                    r, PREINSTRUCTION_CODE_MAX);
    for (size_t j = 0; j < r; j++)
        if (strcmp(code, json_string_value(json_object_get(json_array_get(reqs, j), "code"))) ==
            0)
            return fail(err, errlen, "requirements[%zu].code: \"%s\" is used twice", r, code);

    label = json_object_get(req, "label");
    if (label != NULL && (plain_string(label) == NULL || json_string_length(label) == 0 ||
                          json_string_length(label) > PREINSTRUCTION_LABEL_MAX))
        return fail(err, errlen, "requirements[%zu].label: expected a string of 1 to %d bytes",
                    r, PREINSTRUCTION_LABEL_MAX);

    if (json_object_get(req, "any_of") == NULL)
        return fail(err, errlen, "requirements[%zu].any_of: required", r);
    if (check_name_list(json_object_get(req, "any_of"), (size_t)N_KINDS, known_kind,
                        "piece kind", r, "any_of", err, errlen) != 0)
        return -1;

    prestations = json_object_get(req, "prestations");
    if (prestations != NULL &&
        check_name_list(prestations, 3, known_prestation, "prestation", r, "prestations", err,
                        errlen) != 0)
        return -1;

    when = json_object_get(req, "when");
    w = plain_string(when);
    if (when != NULL && (w == NULL || (strcmp(w, "always") != 0 && strcmp(w, "retroactive") != 0)))
        return fail(err, errlen, "requirements[%zu].when: expected \"always\" or \"retroactive\"",
                    r);
    return 0;
}

int preinstruction_table_check(const json_t *table, char *err, size_t errlen)
{
    static const char *const members[] = {"description", "requirements", NULL};
    const json_t *reqs, *description;
    const char *unknown;

    if (!json_is_object(table))
        return fail(err, errlen, "the table must be a JSON object");
    unknown = unknown_member(table, members);
    if (unknown != NULL)
        return fail(err, errlen,
                    "unknown member \"%.40s\" (expected description, requirements)", unknown);
    description = json_object_get(table, "description");
    if (description != NULL && !json_is_string(description))
        return fail(err, errlen, "description: expected a string");
    reqs = json_object_get(table, "requirements");
    if (!json_is_array(reqs))
        return fail(err, errlen, "requirements: required, an array");
    if (json_array_size(reqs) > PREINSTRUCTION_MAX_REQUIREMENTS)
        return fail(err, errlen, "requirements: at most %d entries",
                    PREINSTRUCTION_MAX_REQUIREMENTS);
    for (size_t r = 0; r < json_array_size(reqs); r++)
        if (check_requirement(reqs, r, err, errlen) != 0)
            return -1;
    return 0;
}

json_t *preinstruction_table_default(void)
{
    /* Parsed on each call rather than cached: no shared state to guard, and
     * each caller owns (and may change) its copy. */
    return json_loads(default_table, JSON_REJECT_DUPLICATES, NULL);
}

int preinstruction_table_load(const char *path, json_t **out, char *err, size_t errlen)
{
    json_error_t e;
    json_t *t;
    char why[256];

    *out = NULL;
    if (path == NULL)
        return fail(err, errlen, "pieces table: no path given");
    t = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
    if (t == NULL)
        return fail(err, errlen, "pieces table %s: line %d: %s", path, e.line, e.text);
    if (preinstruction_table_check(t, why, sizeof(why)) != 0) {
        json_decref(t);
        return fail(err, errlen, "pieces table %s: %s", path, why);
    }
    *out = t;
    return 0;
}

/* ---- the run ------------------------------------------------------------------- */

/* What the dossier's pieces hold. */
struct pieces_seen {
    bool have[N_KINDS];
    bool not_array;    /* pieces is neither an array nor absent/null */
    size_t unreadable; /* entries that are not {"kind": <known kind>} */
};

static void scan_pieces(const json_t *pieces, struct pieces_seen *seen)
{
    size_t i;
    json_t *p;

    memset(seen, 0, sizeof(*seen));
    if (pieces == NULL || json_is_null(pieces))
        return;
    if (!json_is_array(pieces)) {
        seen->not_array = true;
        return;
    }
    json_array_foreach(pieces, i, p) {
        int k = json_is_object(p) ? kind_index(plain_string(json_object_get(p, "kind"))) : -1;

        if (k < 0)
            seen->unreadable++;
        else
            seen->have[k] = true;
    }
}

/* A date member, read leniently: anything but a real day is no date. */
static bool lenient_date(const json_t *v, cal_date *out)
{
    const char *s = plain_string(v);

    return s != NULL && strlen(s) == CAL_DATE_LEN - 1 && cal_parse(s, out);
}

/*
 * Care before the deposit that the prestation's rules take into account (see
 * the header): ame reads the hospitalisation and the care dates, css only the
 * hospitalisation, puma none. Read leniently, because it must also answer when
 * the situation is partly invalid and the simulation could not run.
 */
static bool care_before_deposit(const char *prestation, const json_t *situation,
                                cal_date deposit)
{
    enum droits_prestation p;
    const json_t *h, *dates;
    cal_date d;
    size_t i;
    json_t *v;

    if (!droits_prestation_parse(prestation, &p) || p == DROITS_PUMA ||
        !json_is_object(situation) || !cal_valid(deposit))
        return false;
    h = json_object_get(situation, "hospitalization");
    if (json_is_object(h) && lenient_date(json_object_get(h, "admitted_on"), &d) &&
        cal_cmp(d, deposit) < 0)
        return true;
    if (p != DROITS_AME)
        return false;
    dates = json_object_get(situation, "care_dates");
    json_array_foreach(dates, i, v)
        if (lenient_date(v, &d) && cal_cmp(d, deposit) < 0)
            return true;
    return false;
}

/* Append {"code","ok","detail"}; -1 when memory runs out. */
static int add_check(json_t *checks, const char *code, bool ok, char *detail)
{
    json_t *c;

    utf8_drop_partial_tail(detail);
    c = json_pack("{s:s, s:b, s:s}", "code", code, "ok", ok, "detail", detail);
    return c != NULL && json_array_append_new(checks, c) == 0 ? 0 : -1;
}

/* The check telling which pieces could not be read, when some could not. */
static int pieces_check(json_t *checks, const struct pieces_seen *seen)
{
    char detail[DETAIL_LEN];

    if (seen->not_array) {
        snprintf(detail, sizeof(detail),
                 "La liste des pièces n'est pas un tableau : aucune pièce n'a été prise en "
                 "compte.");
        return add_check(checks, "pieces", false, detail);
    }
    if (seen->unreadable == 0)
        return 0;
    snprintf(detail, sizeof(detail),
             "%zu pièce(s) illisible(s) ignorée(s) : une pièce doit être un objet dont « kind » "
             "est un type de pièce connu.",
             seen->unreadable);
    return add_check(checks, "pieces", false, detail);
}

/* Why a "when": "retroactive" requirement applies, for the check's detail. */
struct retro {
    bool proposal;     /* the proposal's rights start before the normal date */
    cal_date start;    /* ...on this date */
    bool care;         /* care before the deposit is declared */
    cal_date deposit;
};

/* Apply one requirement: add its check and, when unmet, its first kind to
 * missing unless already listed there. Requirements an unchecked table makes
 * unreadable are skipped. */
static int apply_requirement(const json_t *req, const char *prestation, const struct retro *retro,
                             const struct pieces_seen *seen, json_t *checks, json_t *missing,
                             bool *listed_kind, bool *complete)
{
    const char *code = plain_string(json_object_get(req, "code"));
    const char *label = plain_string(json_object_get(req, "label"));
    const char *when = plain_string(json_object_get(req, "when"));
    const json_t *any_of = json_object_get(req, "any_of");
    const json_t *prestations = json_object_get(req, "prestations");
    int kinds[N_KINDS], n_kinds = 0, found = -1;
    char check_code[PREINSTRUCTION_CODE_MAX + 8], detail[DETAIL_LEN];
    char date_a[CAL_DATE_LEN];
    size_t i;
    json_t *v;

    if (!code_valid(code) || !json_is_array(any_of))
        return 0;
    if (label == NULL || label[0] == '\0' || strlen(label) > PREINSTRUCTION_LABEL_MAX)
        label = code;

    /* Applicable? An unreadable `prestations` or `when` (a table that skipped
     * the check) reads as absent, and so does `prestations` for a prestation
     * that is none of the three: asking for a piece too many is better than
     * silently dropping one. */
    if (json_is_array(prestations) && known_prestation(prestation)) {
        bool listed = false;

        json_array_foreach(prestations, i, v) {
            const char *s = plain_string(v);

            if (s != NULL && prestation != NULL && strcmp(s, prestation) == 0)
                listed = true;
        }
        if (!listed)
            return 0;
    }
    if (when != NULL && strcmp(when, "retroactive") == 0 && !retro->proposal && !retro->care)
        return 0;

    json_array_foreach(any_of, i, v) {
        int k = kind_index(plain_string(v));

        if (k < 0 || n_kinds == N_KINDS)
            continue;
        kinds[n_kinds++] = k;
        if (found < 0 && seen->have[k])
            found = k;
    }
    if (n_kinds == 0)
        return 0;

    detail[0] = '\0';
    if (found >= 0) {
        append(detail, sizeof(detail), "« %s » : pièce fournie (%s).", label,
               dossier_piece_kinds[found]);
    } else {
        append(detail, sizeof(detail), "« %s » : pièce manquante, type%s attendu%s : ", label,
               n_kinds > 1 ? "s" : "", n_kinds > 1 ? "s" : "");
        for (int k = 0; k < n_kinds; k++)
            append(detail, sizeof(detail), "%s%s",
                   k == 0 ? "" : k == n_kinds - 1 ? " ou " : ", ", dossier_piece_kinds[kinds[k]]);
        append(detail, sizeof(detail), ".");
        /* The first kind of any_of is the one to ask for; once only. */
        if (!listed_kind[kinds[0]]) {
            listed_kind[kinds[0]] = true;
            if (json_array_append_new(missing, json_string(dossier_piece_kinds[kinds[0]])) != 0)
                return -1;
        }
        *complete = false;
    }
    if (when != NULL && strcmp(when, "retroactive") == 0) {
        if (retro->proposal)
            append(detail, sizeof(detail),
                   " Exigée car la demande est rétroactive : droits proposés à partir du %s.",
                   cal_format(retro->start, date_a));
        else
            append(detail, sizeof(detail),
                   " Exigée car des soins antérieurs au dépôt du %s sont déclarés.",
                   cal_format(retro->deposit, date_a));
    }
    snprintf(check_code, sizeof(check_code), "piece_%s", code);
    return add_check(checks, check_code, found >= 0, detail);
}

static bool is_start_rule(const char *code)
{
    for (size_t i = 0; start_rules[i] != NULL; i++)
        if (strcmp(code, start_rules[i]) == 0)
            return true;
    return false;
}

/* The engine's eligibility conditions, copied from the proposal as written. */
static int condition_checks(json_t *checks, const json_t *proposal)
{
    size_t i;
    json_t *c;

    json_array_foreach(json_object_get(proposal, "checks"), i, c) {
        const char *code = json_string_value(json_object_get(c, "code"));
        json_t *copy;

        if (code == NULL || is_start_rule(code))
            continue;
        copy = json_deep_copy(c);
        if (copy == NULL || json_array_append_new(checks, copy) != 0)
            return -1;
    }
    return 0;
}

/* The check explaining why there is no proposal. errors may be NULL (the dates
 * were unusable) or the engine's field errors. */
static int simulation_check(json_t *checks, const json_t *errors)
{
    char detail[DETAIL_LEN] = "";
    size_t i, n = json_array_size(errors);
    json_t *e;

    if (errors == NULL) {
        append(detail, sizeof(detail),
               "Simulation des droits impossible : une date de la demande (réception, dépôt ou "
               "décision) n'est pas une date valide.");
        return add_check(checks, "simulation", false, detail);
    }
    append(detail, sizeof(detail),
           "Simulation des droits impossible, la situation est incomplète ou invalide.");
    json_array_foreach(errors, i, e) {
        const char *field = json_string_value(json_object_get(e, "field"));
        const char *message = json_string_value(json_object_get(e, "message"));
        size_t len;

        if (i == 3) {
            append(detail, sizeof(detail), " Et %zu autre(s) problème(s).", n - 3);
            break;
        }
        if (message == NULL || message[0] == '\0')
            message = "valeur invalide";
        len = strlen(message);
        /* The engine's messages are sentences; end each one once. */
        append(detail, sizeof(detail), " %s : %s%s", field != NULL ? field : "?", message,
               message[len - 1] == '.' ? "" : ".");
    }
    return add_check(checks, "simulation", false, detail);
}

json_t *preinstruction_run(const json_t *table, const char *prestation, const json_t *situation,
                           const json_t *pieces, cal_date received_on, cal_date deposit_on,
                           cal_date decided_on)
{
    json_t *own = NULL, *result, *checks, *missing, *proposal = NULL, *errors = NULL;
    struct pieces_seen seen;
    struct retro retro;
    bool listed_kind[N_KINDS] = {false}, complete = true, sim_dates_ok;
    bool deposit_given = droits_date_set(deposit_on);
    int rc = 0;
    size_t i;
    json_t *req;

    /* The members are set at once, in the order of SPEC §7, and filled in
     * place: result owns everything from here, which keeps the failure path
     * to a single decref. */
    result = json_object();
    if (result == NULL)
        return NULL;
    checks = json_array();
    missing = json_array();
    rc |= json_object_set_new(result, "complete", json_true());
    rc |= json_object_set_new(result, "missing_pieces", missing);
    rc |= json_object_set_new(result, "checks", checks);
    rc |= json_object_set_new(result, "proposal", json_null());
    if (rc != 0 || checks == NULL || missing == NULL)
        goto oom;
    if (table == NULL) {
        own = preinstruction_table_default();
        if (own == NULL)
            goto oom;
        table = own;
    }

    /* The proposal first: whether the request is retroactive depends on it. */
    memset(&retro, 0, sizeof(retro));
    retro.deposit = deposit_given ? deposit_on : received_on;
    sim_dates_ok = usable(received_on) && usable(decided_on) &&
                   (!deposit_given || usable(deposit_on));
    if (sim_dates_ok) {
        struct droits_input in;
        struct droits_result out;

        errors = json_array();
        if (errors == NULL)
            goto oom;
        if (droits_input_from_situation(situation, prestation, received_on, deposit_on,
                                        decided_on, &in, errors) == 0) {
            droits_simulate(&in, &out);
            proposal = droits_result_to_json(&out);
            if (proposal == NULL)
                goto oom;
            retro.proposal = out.eligible && out.retroactive;
            retro.start = out.start;
        }
    }
    retro.care = care_before_deposit(prestation, situation, retro.deposit);

    scan_pieces(pieces, &seen);
    if (pieces_check(checks, &seen) != 0)
        goto oom;
    json_array_foreach(json_object_get(table, "requirements"), i, req) {
        if (!json_is_object(req))
            continue;
        if (apply_requirement(req, prestation, &retro, &seen, checks, missing, listed_kind,
                              &complete) != 0)
            goto oom;
    }
    if (proposal != NULL) {
        if (condition_checks(checks, proposal) != 0)
            goto oom;
    } else if (simulation_check(checks, sim_dates_ok ? errors : NULL) != 0) {
        goto oom;
    }

    rc |= json_object_set_new(result, "complete", json_boolean(complete));
    if (proposal != NULL) {
        /* Consumed even on failure. */
        rc |= json_object_set_new(result, "proposal", proposal);
        proposal = NULL;
    }
    if (rc != 0)
        goto oom;
    json_decref(errors);
    json_decref(own);
    return result;

oom:
    json_decref(result);
    json_decref(proposal);
    json_decref(errors);
    json_decref(own);
    return NULL;
}
