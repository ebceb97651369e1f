/*
 * bodycheck.c — the C validators as a filter, for tests/contract/agree.mjs.
 *
 * Each input line is "<kind>\t<JSON body>"; each output line is
 * "<problems>\t<error array>" from the validator the API runs for that kind of
 * body, with today fixed at 2026-11-23 (Europe/Paris) so that the verdicts do
 * not depend on the day the test runs. The body is parsed as the API parses
 * it (duplicate keys refused). Kinds: dossier, pieces, transition, message,
 * signalement, rendez_vous, demande_document, request_transition, org_create,
 * org_patch, agent, simulation.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "calendar.h"
#include "dossier_valid.h"
#include "droits_json.h"
#include "organisation.h"
#include "request_valid.h"
#include "signalement_valid.h"

static const char stored_org[] =
    "{\"id\":\"3f0e7a52-8c1d-4e55-9a4b-2d6f1c0b7e11\",\"name\":\"CCAS de La Rochelle\","
    "\"kind\":\"ccas\",\"siret\":\"73282932000074\",\"finess\":null,\"caisse\":\"171\","
    "\"ame_habilitation\":false,\"convention\":{\"signed_on\":\"2025-01-01\","
    "\"duration_months\":12,\"tacit_renewal\":true,\"terminated_on\":null},"
    "\"referent\":null,\"version\":1}";

static int check(const char *kind, const json_t *body, const json_t *org, cal_date today,
                 json_t *errors)
{
    if (strcmp(kind, "dossier") == 0)
        return dossier_validate(body, today, errors);
    if (strcmp(kind, "pieces") == 0)
        return dossier_validate_pieces_body(body, errors);
    if (strcmp(kind, "transition") == 0)
        return dossier_validate_transition(NULL, body, errors);
    if (strcmp(kind, "message") == 0)
        return dossier_validate_message(body, errors);
    if (strcmp(kind, "signalement") == 0)
        return signalement_validate(body, today, errors);
    if (strcmp(kind, "rendez_vous") == 0)
        return rendez_vous_validate(body, today, errors);
    if (strcmp(kind, "demande_document") == 0)
        return demande_document_validate(body, today, errors);
    if (strcmp(kind, "request_transition") == 0) {
        const char *to;

        return request_transition_validate(body, &to, errors);
    }
    if (strcmp(kind, "org_create") == 0)
        return org_validate_create(body, errors);
    if (strcmp(kind, "org_patch") == 0)
        return org_validate_patch(body, org, errors);
    if (strcmp(kind, "agent") == 0) {
        int n = agent_check_keys(body, errors);

        return n + (json_is_object(body) ? agent_validate(body, errors) : 1);
    }
    if (strcmp(kind, "simulation") == 0) {
        struct droits_input in;
        size_t before = json_array_size(errors);

        return droits_input_from_json(body, today, &in, errors) != 0
                   ? (int)(json_array_size(errors) - before) + 1
                   : 0;
    }
    fprintf(stderr, "bodycheck: unknown kind %s\n", kind);
    exit(2);
}

int main(void)
{
    static char line[4 << 20];
    cal_date today = {2026, 11, 23};
    json_t *org;

    if (!cal_init())
        return 1;
    org = json_loads(stored_org, 0, NULL);
    while (fgets(line, sizeof(line), stdin) != NULL) {
        char *tab = strchr(line, '\t');
        json_t *body, *errors = json_array();
        json_error_t err;
        char *out;
        int n;

        if (tab == NULL)
            return 2;
        *tab = '\0';
        body = json_loads(tab + 1, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
        if (body == NULL) {
            printf("-1\t[]\n");
            json_decref(errors);
            continue;
        }
        n = check(line, body, org, today, errors);
        out = json_dumps(errors, JSON_COMPACT);
        printf("%d\t%s\n", n, out);
        free(out);
        json_decref(errors);
        json_decref(body);
    }
    json_decref(org);
    return 0;
}
