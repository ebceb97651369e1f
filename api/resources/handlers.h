/*
 * handlers.h — the handlers of the routes, one file per resource.
 *
 * The layer resources/ (api/main.c): a handler holds its resource's own logic
 * — its fields, statement, answer. One with a struct db runs on a database
 * thread (a row's .db), the others on the HTTP thread (.handler); what every
 * route needs before them — the {id}, the stored object in scope (.load), the
 * body, the fields never recorded under a key (.check), the Idempotency-Key,
 * If-Match — is the row's, done by the dispatcher (core/dispatch.c) in SPEC
 * §2's order. The *_load and *_check functions are rows' phases
 * (route_phase_fn, core/server.h). It may call core/ (the call, the database
 * and hash threads) and support/ (idempotency, paging, audit, ingest…), and
 * common/; never another resource's file. Each is named in one row of the route
 * table (core/route_table.c), which the dispatcher calls once the token, the
 * role, the convention and the rate have passed (SPEC §2).
 */
#ifndef EPART_API_HANDLERS_H
#define EPART_API_HANDLERS_H

#include "core/server.h"

/* health.c */
void h_healthz(struct call *c);
void h_readyz(struct call *c);
void h_metrics(struct call *c);
/* openapi.c */
void h_openapi(struct call *c);
/* apidocs.c */
void h_docs(struct call *c);
void h_docs_file(struct call *c);
/* organisations.c */
void h_org_create(struct call *c, struct db *db);
void h_org_list(struct call *c, struct db *db);
bool h_org_load(struct call *c, struct db *db);
void h_org_get(struct call *c, struct db *db);
void h_org_patch(struct call *c, struct db *db);
bool h_org_reread(struct call *c, struct db *db, const char *id);
/* clients.c */
bool h_client_load(struct call *c, struct db *db);
bool h_client_check(struct call *c, struct db *db);
void h_client_create(struct call *c, struct db *db);
bool h_client_reread(struct call *c, struct db *db, const char *client_id);
void h_client_revoke(struct call *c);
bool h_auth_token_gate(struct call *c, struct db *db);
void h_auth_token(struct call *c);
/* dossiers.c */
void h_dossier_create(struct call *c);
void h_dossier_get(struct call *c, struct db *db);
void h_dossier_list(struct call *c);
void h_dossier_counts(struct call *c, struct db *db);
/* dossier_actions.c */
struct dossier_write; /* the write a route's row names */
extern const struct dossier_write dossier_transmit, dossier_pieces, dossier_message;
void h_dossier_write(struct call *c);
bool h_dossier_write_load(struct call *c, struct db *db);
bool h_dossier_write_check(struct call *c, struct db *db);
void h_dossier_write_db(struct call *c, struct db *db);
bool h_dossier_found(struct call *c, struct db *db);
void h_message_list(struct call *c, struct db *db);
void h_message_get(struct call *c, struct db *db);
void h_attestation(struct call *c, struct db *db);
/* dossier_transitions.c */
bool h_dossier_lock(struct call *c, struct db *db);
bool h_dossier_transition_check(struct call *c, struct db *db);
void h_dossier_transition(struct call *c, struct db *db);
bool h_dossier_reread(struct call *c, struct db *db, const char *id);
/* services.c: the kind of request is the row's argument (&request_kinds[i]) */
void h_request_create(struct call *c);
void h_request_get(struct call *c, struct db *db);
void h_request_list(struct call *c, struct db *db);
void h_request_counts(struct call *c, struct db *db);
bool h_request_lock(struct call *c, struct db *db);
bool h_request_transition_check(struct call *c, struct db *db);
void h_request_transition(struct call *c, struct db *db);
bool h_request_reread(struct call *c, struct db *db, const char *id);
/* demandes.c */
void h_demandes_list(struct call *c, struct db *db);
/* parcours.c */
void h_parcours_list(struct call *c);
/* partnership_messages.c */
bool h_partnership_check(struct call *c, struct db *db);
void h_partnership_create(struct call *c, struct db *db);
bool h_partnership_reread(struct call *c, struct db *db, const char *id);
void h_partnership_list(struct call *c, struct db *db);
/* alerts.c */
void h_alerts_list(struct call *c, struct db *db);
/* droits_simulation.c */
void h_droits_simulation(struct call *c);
/* webhook_endpoints.c */
void h_webhook_resolve(struct call *c);
void h_webhook_create(struct call *c, struct db *db);
bool h_webhook_reread(struct call *c, struct db *db, const char *id);
void h_webhook_list(struct call *c, struct db *db);
bool h_webhook_load(struct call *c, struct db *db);
void h_webhook_get(struct call *c, struct db *db);
void h_webhook_patch(struct call *c, struct db *db);
void h_webhook_delete(struct call *c, struct db *db);
void h_webhook_deliveries(struct call *c, struct db *db);
/* indicateurs.c */
void h_indicateurs(struct call *c);
/* session.c */
bool h_auth_session_gate(struct call *c, struct db *db);
void h_auth_session(struct call *c);
void h_auth_config(struct call *c);
/* agents.c */
bool h_agent_check(struct call *c, struct db *db);
void h_agent_create(struct call *c, struct db *db);
bool h_agent_reread(struct call *c, struct db *db, const char *id);
void h_agent_list(struct call *c, struct db *db);
bool h_agent_load(struct call *c, struct db *db);
void h_agent_get(struct call *c, struct db *db);
void h_agent_patch(struct call *c, struct db *db);
void h_agent_delete(struct call *c, struct db *db);
/* audit_read.c */
void h_audit_list(struct call *c, struct db *db);
/* test_clock.c */
void h_clock_get(struct call *c);
void h_clock_put(struct call *c);

#endif
