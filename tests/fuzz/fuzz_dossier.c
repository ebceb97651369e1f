/*
 * fuzz_dossier.c — the request-body validators on arbitrary bytes.
 *
 * The input goes the way an API body does (api/core/server.c): json_depth_ok() with
 * the API's limit of 32, then json_loadb() with duplicate keys refused. Every
 * document that parses is then handed to each validator of a JSON body:
 *   - dossier_validate (POST /v1/dossiers), dossier_validate_pieces and
 *     dossier_validate_pieces_body (POST /v1/dossiers/{id}/pieces),
 *   - dossier_validate_transition, with the action read from the body and with
 *     each action (and an unknown one) given by the caller, with and without
 *     the body,
 *   - dossier_validate_message,
 *   - signalement_validate (POST /v1/signalements),
 *   - org_validate_create and org_validate_patch (against no stored
 *     organisation, a fixed valid one, and the document itself), plus
 *     org_apply_defaults and convention_in_force on the document,
 *   - rendez_vous_validate, demande_document_validate and
 *     request_transition_validate (common/request_valid.h, SPEC §8).
 * Besides the sanitizers' checks, each error list must be well formed and
 * hold exactly one entry per problem counted, up to VF_MAX_LISTED (vfield.h):
 * a 422 that counts a problem but does not list it tells the partner nothing.
 * And a dossier accepted at creation must be readable by the rights engine
 * (droits_input_from_situation, what decide and the pre-instruction use), or
 * it could be stored and then never decided.
 */
#include "fuzz_common.h"

#include <stdbool.h>

#include "calendar.h"
#include "dossier_valid.h"
#include "droits.h"
#include "droits_json.h"
#include "jsonutil.h"
#include "organisation.h"
#include "request_valid.h"
#include "signalement_valid.h"
#include "vfield.h"

static json_t *stored_org;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!cal_init())
        abort();
    stored_org = json_loads(
        "{\"id\":\"3f0e7a52-8c1d-4e55-9a4b-2d6f1c0b7e11\",\"name\":\"CCAS de La Rochelle\","
        "\"kind\":\"ccas\",\"siret\":\"73282932000074\",\"finess\":null,\"caisse\":\"171\","
        "\"ame_habilitation\":false,\"convention\":{\"signed_on\":\"2025-01-01\","
        "\"duration_months\":12,\"tacit_renewal\":true,\"terminated_on\":null},"
        "\"referent\":null,\"version\":1}",
        0, NULL);
    if (stored_org == NULL)
        abort();
    return 0;
}

/* Run one validator into a fresh error array and check the list against the
 * count it returned. */
#define CHECKED(call)                                                                      \
    do {                                                                                   \
        json_t *errors = json_array();                                                     \
        int problems;                                                                      \
                                                                                           \
        FZ_ASSERT(errors != NULL);                                                         \
        problems = (call);                                                                 \
        fz_check_errors(errors, problems, VF_MAX_LISTED);                                  \
        json_decref(errors);                                                               \
    } while (0)

static void transitions(const json_t *doc)
{
    static const char *const actions[] = {"start_instruction", "request_pieces", "decide",
                                          "close", "reopen"};

    CHECKED(dossier_validate_transition(NULL, doc, errors));
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        CHECKED(dossier_validate_transition(actions[i], doc, errors));
        CHECKED(dossier_validate_transition(actions[i], NULL, errors));
    }
}

static void organisations(const json_t *doc)
{
    json_t *copy;
    org_convention c;

    CHECKED(org_validate_create(doc, errors));
    CHECKED(org_validate_patch(doc, NULL, errors));
    CHECKED(org_validate_patch(doc, stored_org, errors));
    CHECKED(org_validate_patch(doc, doc, errors));

    /* A convention that parses has sane members. */
    if (org_convention_parse(json_object_get(doc, "convention"), &c)) {
        FZ_ASSERT(cal_valid(c.signed_on));
        FZ_ASSERT(c.duration_months >= 1 && c.duration_months <= ORG_MAX_DURATION_MONTHS);
        FZ_ASSERT(!c.terminated || cal_valid(c.terminated_on));
        (void)org_convention_in_force_at(&c, FZ_TODAY);
    }
    (void)convention_in_force(json_object_get(doc, "convention"), FZ_TODAY);

    /* Defaults fill a copy without disturbing a valid organisation. */
    copy = json_deep_copy(doc);
    FZ_ASSERT(copy != NULL);
    org_apply_defaults(copy);
    if (json_is_object(doc) && org_validate_create(doc, NULL) == 0) {
        json_t *errors = json_array();

        FZ_ASSERT(org_validate_create(copy, errors) == 0);
        json_decref(errors);
    }
    json_decref(copy);
}

/* A valid dossier, as the worker stores it, goes through the rights engine. */
static void accepted_dossier_is_ruled(const json_t *doc)
{
    cal_date deposited = DROITS_NO_DATE;
    const char *dep = json_str(doc, "deposited_on");
    struct droits_input in;
    struct droits_result r;
    json_t *errors = json_array();
    int rc;

    if (dep != NULL)
        FZ_ASSERT(cal_parse(dep, &deposited));
    rc = droits_input_from_situation(json_object_get(doc, "situation"),
                                     json_str(doc, "prestation"), FZ_TODAY, deposited, FZ_TODAY,
                                     &in, errors);
    if (rc != 0) {
        char *e = json_text(errors);

        fprintf(stderr, "fuzz: valid dossier refused by the rights engine: %s\n", e);
        free(e);
    }
    FZ_ASSERT(rc == 0);
    droits_simulate(&in, &r);
    json_decref(errors);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc;
    char *text;

    if (!json_depth_ok((const char *)data, size, FZ_JSON_DEPTH))
        return 0;
    doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (doc == NULL)
        return 0;

    CHECKED(dossier_validate(doc, FZ_TODAY, errors));
    CHECKED(dossier_validate_pieces(json_object_get(doc, "pieces"), "pieces", errors));
    CHECKED(dossier_validate_pieces(doc, NULL, errors));
    CHECKED(dossier_validate_pieces_body(doc, errors));
    transitions(doc);
    CHECKED(dossier_validate_message(doc, errors));
    CHECKED(signalement_validate(doc, FZ_TODAY, errors));
    CHECKED(rendez_vous_validate(doc, FZ_TODAY, errors));
    CHECKED(demande_document_validate(doc, FZ_TODAY, errors));
    {
        const char *to = NULL;

        CHECKED(request_transition_validate(doc, &to, errors));
        if (request_transition_validate(doc, &to, NULL) == 0)
            FZ_ASSERT(to != NULL && to[0] >= 'a' && to[0] <= 'z');
    }
    organisations(doc);

    /* Without an error array the count is the same (only the verdict matters). */
    {
        json_t *errors = json_array();
        int with = dossier_validate(doc, FZ_TODAY, errors);

        FZ_ASSERT(dossier_validate(doc, FZ_TODAY, NULL) == with);
        json_decref(errors);
        if (with == 0)
            accepted_dossier_is_ruled(doc);
    }

    /* Whatever was accepted can be written back. */
    text = json_text(doc);
    FZ_ASSERT(text != NULL);
    free(text);
    json_decref(doc);
    return 0;
}
