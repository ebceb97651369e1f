/*
 * route_table.c — the route table.
 *
 * One row per operation: method, path, handler, roles admitted, summary, and
 * what /v1/openapi.json says of it (its query parameters, its body's schema,
 * its answers: see api/resources/openapi.c for the notation, api/openapi/ for the
 * schemas named). Adding an operation is adding its row here and its schemas
 * there; tests/contract/traffic.py must then call it once (make contract fails
 * on an operation never exercised).
 */
#include "core/route_table.h"

#include <string.h>

#include "clock.h"
#include "route.h"
#include "resources/handlers.h"

static const struct route table[] = {
    {"GET", "/healthz", h_healthz, R_PUBLIC, "Processus vivant",
     .responses = "200:Health"},
    {"GET", "/readyz", h_readyz, R_PUBLIC, "PostgreSQL et Redis joignables",
     .responses = "200:Readiness"},
    {"GET", "/metrics", h_metrics, R_PUBLIC, "Métriques Prometheus",
     .responses = "200:text/plain 401 403"},
    {"GET", "/v1/openapi.json", h_openapi, R_PUBLIC, "Document OpenAPI 3.1",
     .responses = "200:OpenApiDocument"},
    {"GET", "/v1/docs", h_docs, R_PUBLIC, "Ce document, rendu pour être lu",
     .responses = "200:text/html"},
    {"GET", "/v1/docs/{file}", h_docs_file, R_PUBLIC, "Fichiers de la page de documentation",
     .responses = "200:text/javascript,text/css,text/plain"},

    {"POST", "/v1/auth/token", h_auth_token, R_PUBLIC, "Jeton d'un client d'API",
     .request = "TokenRequest", .responses = "200:Token 401 429"},
    {"POST", "/v1/auth/session", h_auth_session, R_PUBLIC,
     "Session d'un agent à partir de son jeton d'identité OpenID Connect",
     .request = "SessionRequest", .responses = "200:Session 401 403 429"},
    {"GET", "/v1/auth/config", h_auth_config, R_PUBLIC,
     "Configuration publique de la connexion des agents (OpenID Connect)",
     .responses = "200:AuthConfig"},

    {"POST", "/v1/organisations", h_org_create, R_ADMIN, "Créer une organisation",
     .request = "OrganisationCreate", .responses = "201:Organisation"},
    {"GET", "/v1/organisations", h_org_list, R_ALL, "Lister les organisations",
     .query = "limit cursor org_kind caisse", .responses = "200:OrganisationList"},
    {"GET", "/v1/organisations/{id}", h_org_get, R_ALL, "Lire une organisation",
     .responses = "200:Organisation"},
    {"PATCH", "/v1/organisations/{id}", h_org_patch, R_ADMIN, "Modifier une organisation",
     .request = "OrganisationPatch", .responses = "200:Organisation 412"},
    {"POST", "/v1/organisations/{id}/clients", h_client_create, R_ADMIN, "Créer un client d'API",
     .request = "?ApiClientCreate", .responses = "201:ApiClientCreated"},
    {"DELETE", "/v1/organisations/{id}/clients/{client_id}", h_client_revoke, R_ADMIN,
     "Révoquer un client d'API", .responses = "204"},

    {"POST", "/v1/agents", h_agent_create, R_ADMIN, "Créer un agent (OpenID Connect)",
     .request = "AgentCreate", .responses = "201:Agent"},
    {"GET", "/v1/agents", h_agent_list, R_ADMIN, "Lister les agents",
     .query = "limit cursor agent_role agent_active agent_email", .responses = "200:AgentList"},
    {"GET", "/v1/agents/{id}", h_agent_get, R_ADMIN, "Lire un agent",
     .responses = "200:Agent"},
    {"PATCH", "/v1/agents/{id}", h_agent_patch, R_ADMIN, "Modifier un agent",
     .request = "AgentPatch", .responses = "200:Agent 412"},
    {"DELETE", "/v1/agents/{id}", h_agent_delete, R_ADMIN, "Supprimer un agent",
     .responses = "204 412"},

    {"POST", "/v1/dossiers", h_dossier_create, R_PARTNER, "Déposer un dossier",
     .request = "DossierCreate", .responses = "202:Accepted"},
    {"GET", "/v1/dossiers", h_dossier_list, R_ALL,
     "Lister les dossiers (filtres, recherche par référence, tri par échéance), en JSON ou CSV",
     .query = "limit cursor dossier_status prestation overdue sort org reference_query format",
     .responses = "200:DossierList,text/csv"},
    {"GET", "/v1/dossiers/counts", h_dossier_counts, R_ALL,
     "Compter les dossiers par statut sous les filtres de la liste",
     .query = "prestation overdue org reference_query", .responses = "200:DossierCounts"},
    {"GET", "/v1/dossiers/{id}", h_dossier_get, R_ALL, "Lire un dossier",
     .responses = "200:Dossier"},
    {"POST", "/v1/dossiers/{id}/transitions", h_dossier_transition, R_INSTRUCTOR, "Instruire un dossier",
     .request = "DossierTransition", .responses = "200:Dossier 409 412"},
    {"POST", "/v1/dossiers/{id}/transmit", h_dossier_transmit, R_PARTNER, "Transmettre un dépôt",
     .request = "?Empty", .responses = "202:Accepted 409 412"},
    {"POST", "/v1/dossiers/{id}/pieces", h_dossier_pieces, R_PARTNER, "Répondre à une demande de pièces",
     .request = "PiecesBody", .responses = "202:Accepted 409 412"},
    {"GET", "/v1/dossiers/{id}/attestation-depot", h_attestation, R_ALL, "Attestation de dépôt imprimable",
     .responses = "200:text/html"},
    {"POST", "/v1/dossiers/{id}/messages", h_message_create, R_PARTNER | R_INSTRUCTOR, "Écrire un message sur un dossier",
     .request = "MessageCreate", .responses = "202:Accepted"},
    {"GET", "/v1/dossiers/{id}/messages", h_message_list, R_ALL, "Lire les messages",
     .query = "limit cursor", .responses = "200:MessageList"},
    {"GET", "/v1/dossiers/{id}/messages/{id2}", h_message_get, R_ALL, "Lire un message",
     .responses = "200:Message"},

    {"POST", "/v1/signalements", h_signalement_create, R_PARTNER, "Signaler un renoncement aux soins",
     .request = "SignalementCreate", .responses = "202:Accepted"},
    {"GET", "/v1/signalements", h_signalement_list, R_ALL, "Lister les signalements",
     .query = "limit cursor signalement_status org sort", .responses = "200:SignalementList"},
    {"GET", "/v1/signalements/counts", h_signalement_counts, R_ALL, "Compter par statut (onglets du back-office)",
     .query = "org", .responses = "200:RequestCounts"},
    {"GET", "/v1/signalements/{id}", h_signalement_get, R_ALL, "Lire un signalement",
     .responses = "200:Signalement"},
    {"POST", "/v1/signalements/{id}/transitions", h_signalement_transition, R_INSTRUCTOR, "Faire avancer un signalement",
     .request = "RequestTransition", .responses = "200:Signalement 409 412"},
    {"POST", "/v1/rendez-vous", h_rendez_vous_create, R_PARTNER, "Demander un rendez-vous",
     .request = "RendezVousCreate", .responses = "202:Accepted"},
    {"GET", "/v1/rendez-vous", h_rendez_vous_list, R_ALL, "Lister les rendez-vous",
     .query = "limit cursor rendez_vous_status org sort", .responses = "200:RendezVousList"},
    {"GET", "/v1/rendez-vous/counts", h_rendez_vous_counts, R_ALL, "Compter par statut (onglets du back-office)",
     .query = "org", .responses = "200:RequestCounts"},
    {"GET", "/v1/rendez-vous/{id}", h_rendez_vous_get, R_ALL, "Lire un rendez-vous",
     .responses = "200:RendezVous"},
    {"POST", "/v1/rendez-vous/{id}/transitions", h_rendez_vous_transition, R_INSTRUCTOR, "Faire avancer un rendez-vous",
     .request = "RequestTransition", .responses = "200:RendezVous 409 412"},
    {"POST", "/v1/demandes-document", h_demande_document_create, R_PARTNER, "Demander un document",
     .request = "DemandeDocumentCreate", .responses = "202:Accepted"},
    {"GET", "/v1/demandes-document", h_demande_document_list, R_ALL, "Lister les demandes de document",
     .query = "limit cursor demande_document_status org sort", .responses = "200:DemandeDocumentList"},
    {"GET", "/v1/demandes-document/counts", h_demande_document_counts, R_ALL, "Compter par statut (onglets du back-office)",
     .query = "org", .responses = "200:RequestCounts"},
    {"GET", "/v1/demandes-document/{id}", h_demande_document_get, R_ALL, "Lire une demande de document",
     .responses = "200:DemandeDocument"},
    {"POST", "/v1/demandes-document/{id}/transitions", h_demande_document_transition, R_INSTRUCTOR, "Traiter une demande de document",
     .request = "RequestTransition", .responses = "200:DemandeDocument 409 412"},
    {"GET", "/v1/demandes", h_demandes_list, R_ALL, "Lister toutes les demandes (dossiers, signalements, rendez-vous, documents)",
     .query = "limit cursor demande_kind demande_status overdue org", .responses = "200:DemandeList"},
    {"GET", "/v1/parcours", h_parcours_list, R_ALL, "Lister les parcours attentionnés d'un signalement",
     .responses = "200:ParcoursList"},
    {"POST", "/v1/messages", h_partnership_create, R_PARTNER | R_INSTRUCTOR, "Écrire un message de partenariat",
     .request = "PartnershipMessageCreate", .responses = "201:PartnershipMessage"},
    {"GET", "/v1/messages", h_partnership_list, R_ALL, "Lire les messages de partenariat",
     .query = "limit cursor org", .responses = "200:PartnershipMessageList"},

    {"GET", "/v1/alerts", h_alerts_list, R_ALL, "Lister les alertes d'échéance",
     .query = "limit cursor alert_level alert_clock since", .responses = "200:AlertList"},

    {"GET", "/v1/indicateurs", h_indicateurs, R_ALL, "Indicateurs de suivi du partenariat (COPIL), en JSON ou CSV",
     .query = "from to org format", .responses = "200:Indicateurs,text/csv"},
    {"GET", "/v1/audit", h_audit_list, R_ADMIN, "Lire le journal d'audit RGPD",
     .query = "limit cursor audit_sub audit_object_type audit_object_id audit_action since until", .responses = "200:AuditList"},

    {"POST", "/v1/droits/simulation", h_droits_simulation, R_ALL, "Simuler des droits",
     .request = "SimulationRequest", .responses = "200:Simulation"},

    {"POST", "/v1/webhooks", h_webhook_create, R_ALL, "Créer un webhook",
     .request = "WebhookCreate", .responses = "201:WebhookCreated"},
    {"GET", "/v1/webhooks", h_webhook_list, R_ALL, "Lister les webhooks",
     .query = "limit cursor org caisse webhook_state", .responses = "200:WebhookList"},
    {"GET", "/v1/webhooks/{id}", h_webhook_get, R_ALL, "Lire un webhook",
     .responses = "200:Webhook"},
    {"PATCH", "/v1/webhooks/{id}", h_webhook_patch, R_ALL, "Modifier un webhook",
     .request = "WebhookPatch", .responses = "200:Webhook 412"},
    {"DELETE", "/v1/webhooks/{id}", h_webhook_delete, R_ALL, "Supprimer un webhook",
     .responses = "204 412"},
    {"GET", "/v1/webhooks/{id}/deliveries", h_webhook_deliveries, R_ALL, "Lister les tentatives de livraison d'un webhook",
     .query = "limit cursor event_id", .responses = "200:DeliveryList"},

    {"GET", "/v1/admin/clock", h_clock_get, R_ADMIN, "Lire l'horloge de test",
     .responses = "200:Clock"},
    {"PUT", "/v1/admin/clock", h_clock_put, R_ADMIN, "Régler l'horloge de test",
     .request = "ClockSet", .responses = "200:Clock"},
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
