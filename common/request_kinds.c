/*
 * request_kinds.c — the table of SPEC §8's requests.
 *
 * Statuses (SPEC §8): signalement recu → pris_en_charge → en_cours →
 * soins_realises | non_pertinent | abandon; rendez-vous demande → rappele →
 * planifie → honore | non_honore | annule; document request demande → envoye |
 * refuse. Where the spec is silent we also let a signalement be judged non
 * pertinent or abandoned before it is in progress, and a rendez-vous be
 * cancelled before it is planned: a caseworker meets both every day.
 */
#include "request_kinds.h"

#include <string.h>

#include "deadline.h"
#include "request_valid.h"
#include "signalement_valid.h"

static const struct request_edge signalement_edges[] = {
    {"recu", "pris_en_charge"},          {"recu", "non_pertinent"},
    {"recu", "abandon"},                 {"pris_en_charge", "en_cours"},
    {"pris_en_charge", "non_pertinent"}, {"pris_en_charge", "abandon"},
    {"en_cours", "soins_realises"},      {"en_cours", "non_pertinent"},
    {"en_cours", "abandon"},             {NULL, NULL},
};
static const struct request_edge rendez_vous_edges[] = {
    {"demande", "rappele"}, {"demande", "annule"},  {"rappele", "planifie"},
    {"rappele", "annule"},  {"planifie", "honore"}, {"planifie", "non_honore"},
    {"planifie", "annule"}, {NULL, NULL},
};
static const struct request_edge demande_document_edges[] = {
    {"demande", "envoye"}, {"demande", "refuse"}, {NULL, NULL},
};

const struct request_kind request_kinds[REQUEST_KIND_COUNT] = {
    {"signalement", "/v1/signalements", "SG", "recu", "prise_en_charge", PRISE_EN_CHARGE_HOURS,
     signalement_validate, signalement_edges},
    {"rendez_vous", "/v1/rendez-vous", "RV", "demande", "rappel", RAPPEL_HOURS,
     rendez_vous_validate, rendez_vous_edges},
    {"demande_document", "/v1/demandes-document", "DD", "demande", NULL, 0,
     demande_document_validate, demande_document_edges},
};

const struct request_kind *request_kind_named(const char *kind)
{
    for (size_t i = 0; i < REQUEST_KIND_COUNT; i++)
        if (kind != NULL && strcmp(request_kinds[i].kind, kind) == 0)
            return &request_kinds[i];
    return NULL;
}

bool request_edge_allowed(const struct request_kind *k, const char *from, const char *to)
{
    for (const struct request_edge *e = k->edges; e->from != NULL; e++)
        if (strcmp(e->from, from) == 0 && strcmp(e->to, to) == 0)
            return true;
    return false;
}

bool request_status_known(const struct request_kind *k, const char *s)
{
    if (strcmp(s, k->initial) == 0)
        return true;
    for (const struct request_edge *e = k->edges; e->from != NULL; e++)
        if (strcmp(e->to, s) == 0)
            return true;
    return false;
}

json_t *request_next_statuses(const struct request_kind *k, const char *from)
{
    json_t *out = json_array();

    for (const struct request_edge *e = k->edges; from != NULL && e->from != NULL; e++)
        if (strcmp(e->from, from) == 0)
            json_array_append_new(out, json_string(e->to));
    return out;
}
