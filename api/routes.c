/*
 * routes.c — the route table.
 */
#include "routes.h"

#include <string.h>

#include "clock.h"
#include "handlers.h"
#include "route.h"

static const struct route table[] = {
    {"GET", "/healthz", h_healthz, R_PUBLIC, "Processus vivant"},
    {"GET", "/readyz", h_readyz, R_PUBLIC, "PostgreSQL et Redis joignables"},
    {"GET", "/metrics", h_metrics, R_PUBLIC, "Métriques Prometheus"},
    {"GET", "/v1/openapi.json", h_openapi, R_PUBLIC, "Document OpenAPI 3.1"},

    {"POST", "/v1/auth/token", h_auth_token, R_PUBLIC, "Jeton d'un client d'API"},

    {"POST", "/v1/organisations", h_org_create, R_ADMIN, "Créer une organisation"},
    {"GET", "/v1/organisations", h_org_list, R_ALL, "Lister les organisations"},
    {"GET", "/v1/organisations/{id}", h_org_get, R_ALL, "Lire une organisation"},
    {"PATCH", "/v1/organisations/{id}", h_org_patch, R_ADMIN, "Modifier une organisation"},
    {"POST", "/v1/organisations/{id}/clients", h_client_create, R_ADMIN,
     "Créer un client d'API"},

    {"POST", "/v1/agents", h_agent_create, R_ADMIN, "Créer un agent (OpenID Connect)"},
    {"GET", "/v1/agents", h_agent_list, R_ADMIN, "Lister les agents"},
    {"GET", "/v1/agents/{id}", h_agent_get, R_ADMIN, "Lire un agent"},
    {"PATCH", "/v1/agents/{id}", h_agent_patch, R_ADMIN, "Modifier un agent"},
    {"DELETE", "/v1/agents/{id}", h_agent_delete, R_ADMIN, "Supprimer un agent"},

    {"POST", "/v1/dossiers", h_dossier_create, R_PARTNER, "Déposer un dossier"},
    {"GET", "/v1/dossiers", h_dossier_list, R_ALL, "Lister les dossiers"},
    {"GET", "/v1/dossiers/{id}", h_dossier_get, R_ALL, "Lire un dossier"},
    {"POST", "/v1/dossiers/{id}/transitions", h_dossier_transition, R_INSTRUCTOR,
     "Instruire un dossier"},
    {"POST", "/v1/dossiers/{id}/transmit", h_dossier_transmit, R_PARTNER,
     "Transmettre un dépôt"},
    {"POST", "/v1/dossiers/{id}/pieces", h_dossier_pieces, R_PARTNER,
     "Répondre à une demande de pièces"},
    {"GET", "/v1/dossiers/{id}/attestation-depot", h_attestation, R_ALL,
     "Attestation de dépôt imprimable"},
    {"POST", "/v1/dossiers/{id}/messages", h_message_create, R_PARTNER | R_INSTRUCTOR,
     "Écrire un message sur un dossier"},
    {"GET", "/v1/dossiers/{id}/messages", h_message_list, R_ALL, "Lire les messages"},
    {"GET", "/v1/dossiers/{id}/messages/{id2}", h_message_get, R_ALL, "Lire un message"},

    {"POST", "/v1/signalements", h_signalement_create, R_PARTNER, "Signaler un renoncement aux soins"},
    {"GET", "/v1/signalements", h_signalement_list, R_ALL, "Lister les signalements"},
    {"GET", "/v1/signalements/{id}", h_signalement_get, R_ALL, "Lire un signalement"},
    {"POST", "/v1/signalements/{id}/transitions", h_signalement_transition, R_INSTRUCTOR,
     "Faire avancer un signalement"},
    {"POST", "/v1/rendez-vous", h_rendez_vous_create, R_PARTNER, "Demander un rendez-vous"},
    {"GET", "/v1/rendez-vous", h_rendez_vous_list, R_ALL, "Lister les rendez-vous"},
    {"GET", "/v1/rendez-vous/{id}", h_rendez_vous_get, R_ALL, "Lire un rendez-vous"},
    {"POST", "/v1/rendez-vous/{id}/transitions", h_rendez_vous_transition, R_INSTRUCTOR,
     "Faire avancer un rendez-vous"},
    {"POST", "/v1/demandes-document", h_demande_document_create, R_PARTNER,
     "Demander un document"},
    {"GET", "/v1/demandes-document", h_demande_document_list, R_ALL,
     "Lister les demandes de document"},
    {"GET", "/v1/demandes-document/{id}", h_demande_document_get, R_ALL,
     "Lire une demande de document"},
    {"POST", "/v1/demandes-document/{id}/transitions", h_demande_document_transition,
     R_INSTRUCTOR, "Traiter une demande de document"},
    {"GET", "/v1/demandes", h_demandes_list, R_ALL,
     "Lister toutes les demandes (dossiers, signalements, rendez-vous, documents)"},
    {"GET", "/v1/parcours", h_parcours_list, R_ALL,
     "Lister les parcours attentionnés d'un signalement"},
    {"POST", "/v1/messages", h_partnership_create, R_PARTNER | R_INSTRUCTOR,
     "Écrire un message de partenariat"},
    {"GET", "/v1/messages", h_partnership_list, R_ALL, "Lire les messages de partenariat"},

    {"GET", "/v1/alerts", h_alerts_list, R_ALL, "Lister les alertes d'échéance"},

    {"GET", "/v1/indicateurs", h_indicateurs, R_ALL,
     "Indicateurs de suivi du partenariat (COPIL), en JSON ou CSV"},
    {"GET", "/v1/audit", h_audit_list, R_ADMIN, "Lire le journal d'audit RGPD"},

    {"POST", "/v1/droits/simulation", h_droits_simulation, R_ALL, "Simuler des droits"},

    {"POST", "/v1/webhooks", h_webhook_create, R_ALL, "Créer un webhook"},
    {"GET", "/v1/webhooks", h_webhook_list, R_ALL, "Lister les webhooks"},
    {"GET", "/v1/webhooks/{id}", h_webhook_get, R_ALL, "Lire un webhook"},
    {"PATCH", "/v1/webhooks/{id}", h_webhook_patch, R_ALL, "Modifier un webhook"},
    {"DELETE", "/v1/webhooks/{id}", h_webhook_delete, R_ALL, "Supprimer un webhook"},
    {"GET", "/v1/webhooks/{id}/deliveries", h_webhook_deliveries, R_ALL,
     "Lister les tentatives de livraison d'un webhook"},

    {"GET", "/v1/admin/clock", h_clock_get, R_ADMIN, "Lire l'horloge de test"},
    {"PUT", "/v1/admin/clock", h_clock_put, R_ADMIN, "Régler l'horloge de test"},
};

const struct route *routes_table(int *n)
{
    *n = (int)(sizeof(table) / sizeof(table[0]));
    return table;
}

/* The test clock's paths exist only when the process runs with it (SPEC §6). */
bool routes_exists(const struct route *r)
{
    return strncmp(r->pattern, "/v1/admin/clock", 15) != 0 || clock_test_mode();
}

const struct route *routes_find(const char *method, const char *path,
                                char params[][128], bool *method_mismatch, char *allow,
                                size_t allow_len)
{
    *method_mismatch = false;
    allow[0] = '\0';
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (!routes_exists(&table[i]) ||
            !route_match(table[i].pattern, path, params, ROUTE_MAX_PARAMS))
            continue;
        if (strcmp(table[i].method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(table[i].method, "GET") == 0))
            return &table[i];
        *method_mismatch = true;
        if (strlen(allow) + strlen(table[i].method) + 3 < allow_len) {
            if (allow[0] != '\0')
                strcat(allow, ", ");
            strcat(allow, table[i].method);
        }
    }
    return NULL;
}
