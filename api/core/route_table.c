/*
 * route_table.c — the route table.
 *
 * One row per operation, as tmux's cmd_entry or Redis's command table: each
 * route declares what it needs and the dispatcher (core/dispatch.c) does the
 * rest. Line by line:
 *   1. method, path, roles admitted, summary;
 *   2. what runs — .handler on the HTTP thread and/or .db on a database thread
 *      — with what the dispatcher does first (.flags: the {id} a UUID, the body
 *      parsed, the Idempotency-Key begun, with .reread for a replay) and the
 *      code's argument (.arg: a request kind, a dossier write);
 *   3. what /v1/openapi.json says of it (its query parameters, its body's
 *      schema, its answers: see api/resources/openapi.c for the notation,
 *      api/openapi/ for the schemas named).
 * Adding an operation is adding its row here and its schemas there;
 * tests/contract/traffic.py must then call it once (make contract fails on an
 * operation never exercised). This is the one file of core/ that names the
 * handlers of resources/.
 */
#include "core/route_table.h"

#include <string.h>

#include "clock.h"
#include "request_kinds.h"
#include "route.h"
#include "resources/handlers.h"

static const struct route table[] = {
    {"GET", "/healthz", R_PUBLIC, "Processus vivant",
     .handler = h_healthz,
     .responses = "200:Health"},
    {"GET", "/readyz", R_PUBLIC, "PostgreSQL et Redis joignables",
     .handler = h_readyz,
     .responses = "200:Readiness"},
    {"GET", "/metrics", R_PUBLIC, "Métriques Prometheus",
     .handler = h_metrics,
     .responses = "200:text/plain 401 403"},
    {"GET", "/v1/openapi.json", R_PUBLIC, "Document OpenAPI 3.1",
     .handler = h_openapi,
     .responses = "200:OpenApiDocument"},
    {"GET", "/v1/docs", R_PUBLIC, "Ce document, rendu pour être lu",
     .handler = h_docs,
     .responses = "200:text/html"},
    {"GET", "/v1/docs/{file}", R_PUBLIC, "Fichiers de la page de documentation",
     .handler = h_docs_file,
     .responses = "200:text/javascript,text/css,text/plain"},

    {"POST", "/v1/auth/token", R_PUBLIC, "Jeton d'un client d'API",
     .handler = h_auth_token,
     .request = "TokenRequest", .responses = "200:Token 401 429"},
    {"POST", "/v1/auth/session", R_PUBLIC, "Session d'un agent à partir de son jeton d'identité OpenID Connect",
     .handler = h_auth_session,
     .request = "SessionRequest", .responses = "200:Session 401 403 429"},
    {"GET", "/v1/auth/config", R_PUBLIC, "Configuration publique de la connexion des agents (OpenID Connect)",
     .handler = h_auth_config,
     .responses = "200:AuthConfig"},

    {"POST", "/v1/organisations", R_ADMIN, "Créer une organisation",
     .db = h_org_create, .flags = ROUTE_JSON | ROUTE_IDEM, .reread = h_org_reread,
     .request = "OrganisationCreate", .responses = "201:Organisation"},
    {"GET", "/v1/organisations", R_ALL, "Lister les organisations",
     .db = h_org_list,
     .query = "limit cursor org_kind caisse", .responses = "200:OrganisationList"},
    {"GET", "/v1/organisations/{id}", R_ALL, "Lire une organisation",
     .db = h_org_get, .flags = ROUTE_UUID_ID,
     .responses = "200:Organisation"},
    {"PATCH", "/v1/organisations/{id}", R_ADMIN, "Modifier une organisation",
     .db = h_org_patch, .flags = ROUTE_UUID_ID,
     .request = "OrganisationPatch", .responses = "200:Organisation 412"},
    {"POST", "/v1/organisations/{id}/clients", R_ADMIN, "Créer un client d'API",
     .db = h_client_create, .flags = ROUTE_UUID_ID,
     .request = "?ApiClientCreate", .responses = "201:ApiClientCreated"},
    {"DELETE", "/v1/organisations/{id}/clients/{client_id}", R_ADMIN, "Révoquer un client d'API",
     .handler = h_client_revoke,
     .responses = "204"},

    {"POST", "/v1/agents", R_ADMIN, "Créer un agent (OpenID Connect)",
     .db = h_agent_create, .flags = ROUTE_JSON,
     .request = "AgentCreate", .responses = "201:Agent"},
    {"GET", "/v1/agents", R_ADMIN, "Lister les agents",
     .db = h_agent_list,
     .query = "limit cursor agent_role agent_active agent_email", .responses = "200:AgentList"},
    {"GET", "/v1/agents/{id}", R_ADMIN, "Lire un agent",
     .db = h_agent_get, .flags = ROUTE_UUID_ID,
     .responses = "200:Agent"},
    {"PATCH", "/v1/agents/{id}", R_ADMIN, "Modifier un agent",
     .db = h_agent_patch, .flags = ROUTE_UUID_ID,
     .request = "AgentPatch", .responses = "200:Agent 412"},
    {"DELETE", "/v1/agents/{id}", R_ADMIN, "Supprimer un agent",
     .db = h_agent_delete, .flags = ROUTE_UUID_ID,
     .responses = "204 412"},

    {"POST", "/v1/dossiers", R_PARTNER, "Déposer un dossier",
     .handler = h_dossier_create, .flags = ROUTE_JSON,
     .request = "DossierCreate", .responses = "202:Accepted"},
    {"GET", "/v1/dossiers", R_ALL, "Lister les dossiers (filtres, recherche par référence, tri par échéance), en JSON ou CSV",
     .handler = h_dossier_list,
     .query = "limit cursor dossier_status prestation overdue sort org reference_query format", .responses = "200:DossierList,text/csv"},
    {"GET", "/v1/dossiers/counts", R_ALL, "Compter les dossiers par statut sous les filtres de la liste",
     .db = h_dossier_counts,
     .query = "prestation overdue org reference_query", .responses = "200:DossierCounts"},
    {"GET", "/v1/dossiers/{id}", R_ALL, "Lire un dossier",
     .db = h_dossier_get, .flags = ROUTE_UUID_ID,
     .responses = "200:Dossier"},
    {"POST", "/v1/dossiers/{id}/transitions", R_INSTRUCTOR, "Instruire un dossier",
     .db = h_dossier_transition,
     .request = "DossierTransition", .responses = "200:Dossier 409 412"},
    {"POST", "/v1/dossiers/{id}/transmit", R_PARTNER, "Transmettre un dépôt",
     .handler = h_dossier_write, .arg = &dossier_transmit,
     .request = "?Empty", .responses = "202:Accepted 409 412"},
    {"POST", "/v1/dossiers/{id}/pieces", R_PARTNER, "Répondre à une demande de pièces",
     .handler = h_dossier_write, .arg = &dossier_pieces,
     .request = "PiecesBody", .responses = "202:Accepted 409 412"},
    {"GET", "/v1/dossiers/{id}/attestation-depot", R_ALL, "Attestation de dépôt imprimable",
     .db = h_attestation,
     .responses = "200:text/html"},
    {"POST", "/v1/dossiers/{id}/messages", R_PARTNER | R_INSTRUCTOR, "Écrire un message sur un dossier",
     .handler = h_dossier_write, .arg = &dossier_message,
     .request = "MessageCreate", .responses = "202:Accepted"},
    {"GET", "/v1/dossiers/{id}/messages", R_ALL, "Lire les messages",
     .db = h_message_list,
     .query = "limit cursor", .responses = "200:MessageList"},
    {"GET", "/v1/dossiers/{id}/messages/{id2}", R_ALL, "Lire un message",
     .db = h_message_get,
     .responses = "200:Message"},

    {"POST", "/v1/signalements", R_PARTNER, "Signaler un renoncement aux soins",
     .handler = h_request_create, .flags = ROUTE_JSON, .arg = &request_kinds[0],
     .request = "SignalementCreate", .responses = "202:Accepted"},
    {"GET", "/v1/signalements", R_ALL, "Lister les signalements",
     .db = h_request_list, .arg = &request_kinds[0],
     .query = "limit cursor signalement_status org sort", .responses = "200:SignalementList"},
    {"GET", "/v1/signalements/counts", R_ALL, "Compter par statut (onglets du back-office)",
     .db = h_request_counts, .arg = &request_kinds[0],
     .query = "org", .responses = "200:RequestCounts"},
    {"GET", "/v1/signalements/{id}", R_ALL, "Lire un signalement",
     .db = h_request_get, .flags = ROUTE_UUID_ID, .arg = &request_kinds[0],
     .responses = "200:Signalement"},
    {"POST", "/v1/signalements/{id}/transitions", R_INSTRUCTOR, "Faire avancer un signalement",
     .db = h_request_transition, .arg = &request_kinds[0],
     .request = "RequestTransition", .responses = "200:Signalement 409 412"},
    {"POST", "/v1/rendez-vous", R_PARTNER, "Demander un rendez-vous",
     .handler = h_request_create, .flags = ROUTE_JSON, .arg = &request_kinds[1],
     .request = "RendezVousCreate", .responses = "202:Accepted"},
    {"GET", "/v1/rendez-vous", R_ALL, "Lister les rendez-vous",
     .db = h_request_list, .arg = &request_kinds[1],
     .query = "limit cursor rendez_vous_status org sort", .responses = "200:RendezVousList"},
    {"GET", "/v1/rendez-vous/counts", R_ALL, "Compter par statut (onglets du back-office)",
     .db = h_request_counts, .arg = &request_kinds[1],
     .query = "org", .responses = "200:RequestCounts"},
    {"GET", "/v1/rendez-vous/{id}", R_ALL, "Lire un rendez-vous",
     .db = h_request_get, .flags = ROUTE_UUID_ID, .arg = &request_kinds[1],
     .responses = "200:RendezVous"},
    {"POST", "/v1/rendez-vous/{id}/transitions", R_INSTRUCTOR, "Faire avancer un rendez-vous",
     .db = h_request_transition, .arg = &request_kinds[1],
     .request = "RequestTransition", .responses = "200:RendezVous 409 412"},
    {"POST", "/v1/demandes-document", R_PARTNER, "Demander un document",
     .handler = h_request_create, .flags = ROUTE_JSON, .arg = &request_kinds[2],
     .request = "DemandeDocumentCreate", .responses = "202:Accepted"},
    {"GET", "/v1/demandes-document", R_ALL, "Lister les demandes de document",
     .db = h_request_list, .arg = &request_kinds[2],
     .query = "limit cursor demande_document_status org sort", .responses = "200:DemandeDocumentList"},
    {"GET", "/v1/demandes-document/counts", R_ALL, "Compter par statut (onglets du back-office)",
     .db = h_request_counts, .arg = &request_kinds[2],
     .query = "org", .responses = "200:RequestCounts"},
    {"GET", "/v1/demandes-document/{id}", R_ALL, "Lire une demande de document",
     .db = h_request_get, .flags = ROUTE_UUID_ID, .arg = &request_kinds[2],
     .responses = "200:DemandeDocument"},
    {"POST", "/v1/demandes-document/{id}/transitions", R_INSTRUCTOR, "Traiter une demande de document",
     .db = h_request_transition, .arg = &request_kinds[2],
     .request = "RequestTransition", .responses = "200:DemandeDocument 409 412"},
    {"GET", "/v1/demandes", R_ALL, "Lister toutes les demandes (dossiers, signalements, rendez-vous, documents)",
     .db = h_demandes_list,
     .query = "limit cursor demande_kind demande_status overdue org", .responses = "200:DemandeList"},
    {"GET", "/v1/parcours", R_ALL, "Lister les parcours attentionnés d'un signalement",
     .handler = h_parcours_list,
     .responses = "200:ParcoursList"},
    {"POST", "/v1/messages", R_PARTNER | R_INSTRUCTOR, "Écrire un message de partenariat",
     .db = h_partnership_create, .flags = ROUTE_JSON,
     .request = "PartnershipMessageCreate", .responses = "201:PartnershipMessage"},
    {"GET", "/v1/messages", R_ALL, "Lire les messages de partenariat",
     .db = h_partnership_list,
     .query = "limit cursor org", .responses = "200:PartnershipMessageList"},

    {"GET", "/v1/alerts", R_ALL, "Lister les alertes d'échéance",
     .db = h_alerts_list,
     .query = "limit cursor alert_level alert_clock since", .responses = "200:AlertList"},

    {"GET", "/v1/indicateurs", R_ALL, "Indicateurs de suivi du partenariat (COPIL), en JSON ou CSV",
     .handler = h_indicateurs,
     .query = "from to org format", .responses = "200:Indicateurs,text/csv"},
    {"GET", "/v1/audit", R_ADMIN, "Lire le journal d'audit RGPD",
     .db = h_audit_list,
     .query = "limit cursor audit_sub audit_object_type audit_object_id audit_action since until", .responses = "200:AuditList"},

    {"POST", "/v1/droits/simulation", R_ALL, "Simuler des droits",
     .handler = h_droits_simulation, .flags = ROUTE_JSON,
     .request = "SimulationRequest", .responses = "200:Simulation"},

    {"POST", "/v1/webhooks", R_ALL, "Créer un webhook",
     .handler = h_webhook_resolve, .db = h_webhook_create, .flags = ROUTE_JSON | ROUTE_IDEM, .reread = h_webhook_reread,
     .request = "WebhookCreate", .responses = "201:WebhookCreated"},
    {"GET", "/v1/webhooks", R_ALL, "Lister les webhooks",
     .db = h_webhook_list,
     .query = "limit cursor org caisse webhook_state", .responses = "200:WebhookList"},
    {"GET", "/v1/webhooks/{id}", R_ALL, "Lire un webhook",
     .db = h_webhook_get, .flags = ROUTE_UUID_ID,
     .responses = "200:Webhook"},
    {"PATCH", "/v1/webhooks/{id}", R_ALL, "Modifier un webhook",
     .handler = h_webhook_resolve, .db = h_webhook_patch, .flags = ROUTE_UUID_ID,
     .request = "WebhookPatch", .responses = "200:Webhook 412"},
    {"DELETE", "/v1/webhooks/{id}", R_ALL, "Supprimer un webhook",
     .db = h_webhook_delete, .flags = ROUTE_UUID_ID,
     .responses = "204 412"},
    {"GET", "/v1/webhooks/{id}/deliveries", R_ALL, "Lister les tentatives de livraison d'un webhook",
     .db = h_webhook_deliveries, .flags = ROUTE_UUID_ID,
     .query = "limit cursor event_id", .responses = "200:DeliveryList"},

    {"GET", "/v1/admin/clock", R_ADMIN, "Lire l'horloge de test",
     .handler = h_clock_get,
     .responses = "200:Clock"},
    {"PUT", "/v1/admin/clock", R_ADMIN, "Régler l'horloge de test",
     .handler = h_clock_put,
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
