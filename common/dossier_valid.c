/*
 * dossier_valid.c — dossier bodies: creation, pieces, transitions, messages.
 *
 * Built from the checks of vfield.c and person_valid.c; this file only knows the
 * shape of the dossier documents and the rules that tie their fields together.
 */
#include "dossier_valid.h"

#include <string.h>

#include "dossier_labels.h"
#include "dossier_life.h"
#include "person_valid.h"
#include "vfield.h"

static const char *const top_keys[] = {"prestation", "first_request", "deposited_on",
                                       "transmit", "applicant", "situation", "pieces",
                                       "consent", NULL};
static const char *const situation_keys[] = {
    "puma_criterion", "residence_since", "regular_stay", "irregular_since", "activity_start",
    "resources_under_ceiling", "urgent_care_needed", "precarious", "puma_start",
    "hospitalization", "care_dates", NULL};
static const char *const hospitalization_keys[] = {"admitted_on", "discharged_on", NULL};
static const char *const piece_keys[] = {"kind", "filename", "sha256", "size", NULL};
static const char *const criteria[] = {"residence", "activite", NULL};
static const char *const decisions[] = {"accord", "refus", NULL};

#define FILENAME_MAX_CHARS 255

bool dossier_prestation_valid(const char *s)
{
    return vf_in_set(s, dossier_prestations);
}

bool dossier_piece_kind_valid(const char *s)
{
    return vf_in_set(s, dossier_piece_kinds);
}

static const json_t *get(const json_t *obj, const char *key)
{
    return json_object_get(obj, key);
}

/* A body must be an object; anything else is one error on the whole body. */
static bool body_is_object(vctx *v, const json_t *body)
{
    if (json_is_object(body))
        return true;
    vf_error(v, "", "invalid_type", "le corps de la requête doit être un objet JSON");
    return false;
}

/* ---- pieces -------------------------------------------------------------- */

/* A stored name, not a path: the attestation prints it and nobody may make it
 * point elsewhere. */
static bool filename_ok(const char *s)
{
    return strpbrk(s, "/\\") == NULL && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

static void check_piece(vctx *v, const char *path, const json_t *piece)
{
    char p[VF_PATH_MAX];

    if (vf_object(v, path, piece, VF_REQUIRED, piece_keys) != VF_OK)
        return;
    vf_enum(v, vf_join(p, path, "kind"), get(piece, "kind"), VF_REQUIRED, dossier_piece_kinds,
            NULL);
    vf_format(v, vf_join(p, path, "filename"), get(piece, "filename"), VF_REQUIRED,
              FILENAME_MAX_CHARS, filename_ok, "nom de fichier (sans chemin)", NULL);
    vf_format(v, vf_join(p, path, "sha256"), get(piece, "sha256"), VF_REQUIRED, 128,
              vf_is_sha256, "empreinte SHA-256 (64 chiffres hexadécimaux)", NULL);
    vf_integer(v, vf_join(p, path, "size"), get(piece, "size"), VF_REQUIRED, 1,
               DOSSIER_PIECE_MAX_SIZE, NULL);
}

static void check_pieces(vctx *v, const char *path, const json_t *pieces, unsigned flags)
{
    char item[VF_PATH_MAX];
    size_t i;
    json_t *piece;

    if (vf_array(v, path, pieces, flags, DOSSIER_MAX_PIECES) != VF_OK)
        return;
    json_array_foreach(pieces, i, piece)
        check_piece(v, vf_index(item, path, i), piece);
}

int dossier_validate_pieces(const json_t *pieces, const char *path, json_t *errors)
{
    vctx v;

    vf_init(&v, errors);
    check_pieces(&v, path != NULL ? path : "pieces", pieces, 0);
    return v.problems;
}

int dossier_validate_pieces_body(const json_t *body, json_t *errors)
{
    static const char *const keys[] = {"pieces", NULL};
    vctx v;

    vf_init(&v, errors);
    if (body_is_object(&v, body)) {
        vf_object(&v, "", body, VF_REQUIRED, keys);
        check_pieces(&v, "pieces", get(body, "pieces"), VF_REQUIRED | VF_NONEMPTY);
    }
    return v.problems;
}

/* ---- situation ----------------------------------------------------------- */

/* A date of the person's history: real, not future, not before birth. */
static vf_res life_date(vctx *v, const char *path, const json_t *val, unsigned flags,
                        cal_date today, const cal_date *birth, cal_date *out)
{
    cal_date d;
    vf_res res = vf_date(v, path, val, flags | VF_NOT_FUTURE, today, &d);

    if (res != VF_OK)
        return res;
    if (birth != NULL && cal_cmp(d, *birth) < 0) {
        vf_error(v, path, "invalid_range", "date antérieure à la date de naissance");
        return VF_BAD;
    }
    if (out != NULL)
        *out = d;
    return VF_OK;
}

static void check_hospitalization(vctx *v, const char *parent, const json_t *sit,
                                  cal_date today, const cal_date *birth)
{
    char path[VF_PATH_MAX], p[VF_PATH_MAX];
    const json_t *h = get(sit, "hospitalization");
    cal_date in, out;
    vf_res have_in;

    vf_join(path, parent, "hospitalization");
    if (vf_object(v, path, h, 0, hospitalization_keys) != VF_OK)
        return;
    have_in = life_date(v, vf_join(p, path, "admitted_on"), get(h, "admitted_on"), VF_REQUIRED,
                        today, birth, &in);
    vf_join(p, path, "discharged_on");
    if (life_date(v, p, get(h, "discharged_on"), 0, today, birth, &out) == VF_OK &&
        have_in == VF_OK && cal_cmp(out, in) < 0)
        vf_error(v, p, "invalid_range", "la sortie ne peut pas précéder l'admission");
}

static void check_care_dates(vctx *v, const char *parent, const json_t *sit, cal_date today,
                             const cal_date *birth)
{
    char path[VF_PATH_MAX], item[VF_PATH_MAX];
    const json_t *dates = get(sit, "care_dates");
    size_t i;
    json_t *d;

    vf_join(path, parent, "care_dates");
    if (vf_array(v, path, dates, 0, DOSSIER_MAX_CARE_DATES) != VF_OK)
        return;
    json_array_foreach(dates, i, d)
        life_date(v, vf_index(item, path, i), d, VF_REQUIRED, today, birth, NULL);
}

/* The situation's fields, then what the prestation requires of them. sit may be
 * NULL (absent): the required fields are then all reported missing. */
static void check_situation(vctx *v, const json_t *sit, const char *prestation, cal_date today,
                            const cal_date *birth)
{
    const char *S = "situation";
    char p[VF_PATH_MAX];
    bool puma = prestation != NULL && strcmp(prestation, "puma") == 0;
    bool css = prestation != NULL && strcmp(prestation, "css") == 0;
    bool ame = prestation != NULL && strcmp(prestation, "ame") == 0;
    unsigned req_criterion = puma ? VF_REQUIRED : 0;
    const char *criterion = NULL;
    vf_res crit;

    if (vf_object(v, S, sit, 0, situation_keys) == VF_BAD)
        return; /* not an object: its fields cannot be read */

    crit = vf_enum(v, vf_join(p, S, "puma_criterion"), get(sit, "puma_criterion"), req_criterion,
                   criteria, &criterion);
    if (crit != VF_OK)
        criterion = NULL;
    life_date(v, vf_join(p, S, "residence_since"), get(sit, "residence_since"),
              puma && criterion != NULL && strcmp(criterion, "residence") == 0 ? VF_REQUIRED : 0,
              today, birth, NULL);
    life_date(v, vf_join(p, S, "activity_start"), get(sit, "activity_start"),
              puma && criterion != NULL && strcmp(criterion, "activite") == 0 ? VF_REQUIRED : 0,
              today, birth, NULL);
    vf_bool(v, vf_join(p, S, "regular_stay"), get(sit, "regular_stay"), puma ? VF_REQUIRED : 0,
            NULL);
    life_date(v, vf_join(p, S, "irregular_since"), get(sit, "irregular_since"),
              ame ? VF_REQUIRED : 0, today, birth, NULL);
    vf_bool(v, vf_join(p, S, "resources_under_ceiling"), get(sit, "resources_under_ceiling"),
            css || ame ? VF_REQUIRED : 0, NULL);
    vf_bool(v, vf_join(p, S, "urgent_care_needed"), get(sit, "urgent_care_needed"), 0, NULL);
    vf_bool(v, vf_join(p, S, "precarious"), get(sit, "precarious"), 0, NULL);
    life_date(v, vf_join(p, S, "puma_start"), get(sit, "puma_start"), css ? VF_REQUIRED : 0,
              today, birth, NULL);
    check_hospitalization(v, S, sit, today, birth);
    check_care_dates(v, S, sit, today, birth);
}

/* ---- creation ------------------------------------------------------------ */

int dossier_validate(const json_t *body, cal_date today, json_t *errors)
{
    vctx v;
    const char *prestation = NULL;
    cal_date birth;
    bool have_birth;

    vf_init(&v, errors);
    if (!body_is_object(&v, body))
        return v.problems;
    vf_object(&v, "", body, VF_REQUIRED, top_keys);

    if (vf_enum(&v, "prestation", get(body, "prestation"), VF_REQUIRED, dossier_prestations,
                &prestation) != VF_OK)
        prestation = NULL;
    vf_bool(&v, "first_request", get(body, "first_request"), 0, NULL);
    vf_date(&v, "deposited_on", get(body, "deposited_on"), VF_NOT_FUTURE, today, NULL);
    vf_bool(&v, "transmit", get(body, "transmit"), 0, NULL);

    birth.y = 0;
    person_validate(&v, "applicant", get(body, "applicant"), VF_REQUIRED, PERSON_APPLICANT, today,
                    &birth);
    have_birth = cal_valid(birth);

    /* Without a valid prestation the situation's own fields are still checked,
     * but nothing is required of it: the prestation error says what to fix. */
    check_situation(&v, get(body, "situation"), prestation, today, have_birth ? &birth : NULL);

    check_pieces(&v, "pieces", get(body, "pieces"), 0);
    consent_validate(&v, "consent", get(body, "consent"), VF_REQUIRED, today);
    return v.problems;
}

/* ---- transitions --------------------------------------------------------- */

static void check_rights(vctx *v, const json_t *rights, const char *decision)
{
    static const char *const keys[] = {"start", "end", NULL};
    cal_date start, end;
    vf_res have_start;
    cal_date none = {0, 0, 0};

    if (vf_object(v, "rights", rights, 0, keys) != VF_OK)
        return;
    if (decision != NULL && strcmp(decision, "refus") == 0) {
        vf_error(v, "rights", "not_allowed", "un refus n'ouvre pas de droits");
        return;
    }
    /* Rights may lie ahead (a CSS starts the month after the decision). */
    have_start = vf_date(v, "rights.start", get(rights, "start"), VF_REQUIRED, none, &start);
    if (vf_date(v, "rights.end", get(rights, "end"), 0, none, &end) == VF_OK &&
        have_start == VF_OK && cal_cmp(end, start) < 0)
        vf_error(v, "rights.end", "invalid_range", "la fin des droits précède leur début");
}

int dossier_validate_transition(const char *action, const json_t *body, json_t *errors)
{
    static const char *const start_keys[] = {"action", NULL};
    static const char *const request_keys[] = {"action", "pieces", "message", NULL};
    static const char *const decide_keys[] = {"action", "decision", "motif", "rights", NULL};
    static const char *const close_keys[] = {"action", "reason", NULL};
    vctx v;
    const json_t *given;

    vf_init(&v, errors);
    if (body != NULL && !body_is_object(&v, body))
        return v.problems;
    given = get(body, "action");
    if (action == NULL) {
        if (vf_enum(&v, "action", given, VF_REQUIRED, dossier_transition_names, &action) != VF_OK)
            return v.problems; /* which keys are allowed depends on it */
    } else if (!vf_in_set(action, dossier_transition_names)) {
        vf_error(&v, "action", "invalid_enum", "action inconnue");
        return v.problems;
    } else if (given != NULL &&
               (!json_is_string(given) || strcmp(json_string_value(given), action) != 0)) {
        vf_error(&v, "action", "invalid_enum", "l'action du corps ne correspond pas à la requête");
    }

    if (strcmp(action, "start_instruction") == 0) {
        if (body != NULL)
            vf_object(&v, "", body, 0, start_keys);
    } else if (strcmp(action, "request_pieces") == 0) {
        vf_object(&v, "", body, 0, request_keys);
        vf_enum_set(&v, "pieces", get(body, "pieces"), VF_REQUIRED | VF_NONEMPTY,
                    DOSSIER_PIECE_KIND_COUNT, dossier_piece_kinds, "pièce déjà demandée");
        vf_string(&v, "message", get(body, "message"), VF_MULTILINE, DOSSIER_MESSAGE_MAX, NULL);
    } else if (strcmp(action, "decide") == 0) {
        const char *decision = NULL;

        vf_object(&v, "", body, 0, decide_keys);
        if (vf_enum(&v, "decision", get(body, "decision"), VF_REQUIRED, decisions, &decision) !=
            VF_OK)
            decision = NULL;
        /* SPEC §4 requires a motif only for an accord against the simulation,
         * which the API checks once it knows the simulation's answer */
        vf_string(&v, "motif", get(body, "motif"), VF_MULTILINE, DOSSIER_TEXT_MAX, NULL);
        check_rights(&v, get(body, "rights"), decision);
    } else {
        vf_object(&v, "", body, 0, close_keys);
        vf_string(&v, "reason", get(body, "reason"), VF_REQUIRED | VF_MULTILINE,
                  DOSSIER_TEXT_MAX, NULL);
    }
    return v.problems;
}

/* ---- messages ------------------------------------------------------------ */

int dossier_validate_message(const json_t *body, json_t *errors)
{
    static const char *const keys[] = {"body", NULL};
    vctx v;

    vf_init(&v, errors);
    if (body_is_object(&v, body)) {
        vf_object(&v, "", body, VF_REQUIRED, keys);
        vf_string(&v, "body", get(body, "body"), VF_REQUIRED | VF_MULTILINE,
                  DOSSIER_MESSAGE_MAX, NULL);
    }
    return v.problems;
}
