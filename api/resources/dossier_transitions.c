/*
 * dossier_transitions.c — POST /v1/dossiers/{id}/transitions: the caisse instructs
 * (SPEC §4). Which action goes from which status to which, and the clock
 * changes it implies, are the dossier's life (common/dossier_life.h); here
 * they are applied: start_instruction, request_pieces (the instruction clock
 * is suspended), decide (rights computed, clocks stop), close (clocks stop).
 *
 * Everything happens in one transaction with the dossier's row locked, so that
 * two instructors acting at once serialise: the second sees the new version or
 * status and gets 412 or 409, and the history shows one transition. Checks run
 * in SPEC §2's order: 403 (role, before the handler), 404 (scope), 413/415/400
 * (body), 422, the Idempotency-Key, then 412 (If-Match) and 409 (status): a
 * retried transition gets its first answer even though the status has moved
 * since. The record keeps no document (it holds the person's data): a replay
 * reads the dossier again, in the caller's caisse, and journals the read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "clock.h"
#include "db.h"
#include "dossier_life.h"
#include "dossier_doc.h"
#include "dossier_valid.h"
#include "droits.h"
#include "droits_json.h"
#include "fielderr.h"
#include "stream.h"
#include "uuidv.h"
#include "store/deadlines.h"
#include "store/dossiers.h"
#include "core/dbpool.h"
#include "support/audit.h"
#include "support/dossier_head.h"
#include "core/idempotency.h"
#include "resources/handlers.h"

/* The row the transition works on. */
struct current {
    char status[24];
    int version;
    char prestation[8];
    json_t *situation;
    cal_date received_on;
    bool has_received;
    cal_date ame_deposit;
    bool has_ame_deposit;
};

static void current_free(void *p)
{
    struct current *cur = p;

    json_decref(cur->situation);
    free(cur);
}

static int load_current(struct call *c, struct db *db, struct current *cur)
{
    PGresult *res = dossiers_facts(db->pg, c->params[0], c->who.caisse);

    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        return -1;
    }
    if (PQntuples(res) != 1) {
        PQclear(res);
        return 0;
    }
    snprintf(cur->status, sizeof(cur->status), "%s", PQgetvalue(res, 0, FACT_STATUS));
    cur->version = atoi(PQgetvalue(res, 0, FACT_VERSION));
    snprintf(cur->prestation, sizeof(cur->prestation), "%s", PQgetvalue(res, 0, FACT_PRESTATION));
    cur->situation = db_json(res, 0, FACT_SITUATION);
    cur->has_received = cal_parse(db_value(res, 0, FACT_RECEIVED_ON), &cur->received_on);
    cur->has_ame_deposit = cal_parse(db_value(res, 0, FACT_AME_DEPOSIT_ON), &cur->ame_deposit);
    PQclear(res);
    return 1;
}

/* The agent of the caisse who acts, as the stream's actor object is shaped
 * (common/stream.h): one shape for every actor the product records. */
static json_t *actor(const struct call *c)
{
    struct stream_actor a;

    if (!stream_actor_set(&a, c->who.sub, "instructor", NULL, c->who.caisse))
        return NULL;
    return stream_actor_json(&a);
}

static int record_change(struct call *c, struct db *db, const char *at, const char *from,
                         const char *to, const json_t *detail)
{
    json_t *a = actor(c);
    char *actor_s = json_text(a), *detail_s = json_text(detail);
    int rc = dossiers_changed(db->pg, c->params[0], at, actor_s, from, to, detail_s);

    json_decref(a);
    free(actor_s);
    free(detail_s);
    return rc;
}

/* The clock changes action a implies (dossier_life.h) at instant at, on day
 * today. (The receipt and the resumption are partner actions, applied by
 * worker/lifecycle.c.) */
static int change_clocks(struct db *db, const struct dossier_action *a, const char *id,
                         const char *at, const char *today)
{
    if ((a->clocks & DOSSIER_CLOCK_STOP_ALL) && deadlines_stop_all(db->pg, "dossier", id, at) < 0)
        return -1;
    if ((a->clocks & DOSSIER_CLOCK_SUSPEND_INSTRUCTION) &&
        deadlines_suspend(db->pg, "dossier", id, "instruction", today) < 0)
        return -1;
    return 0;
}

/* decide: compute the rights from the dossier's own dates (SPEC §4, §5). Sets
 * the reply itself (422) when an accord needs explicit rights it lacks. */
static int decide(struct call *c, struct db *db, const struct dossier_action *act,
                  struct current *cur, const char *at, const char **to, json_t **detail)
{
    const char *decision = json_str(c->json, "decision");
    const json_t *motif = json_object_get(c->json, "motif");
    bool accord = decision != NULL && strcmp(decision, "accord") == 0;
    cal_date today = clock_today();
    cal_date deposit = {0, 0, 0};
    struct droits_input in;
    struct droits_result *res = calloc(1, sizeof(*res));
    json_t *errors = json_array(), *simulation = json_null(), *rights = json_null(), *dec;
    char today_s[CAL_DATE_LEN];
    char *sim_s = NULL, *rights_s = NULL, *dec_s = NULL;
    bool eligible = false, override = false;
    int rc = -1;

    if (res == NULL)
        goto out;
    deposit_date(cur->has_ame_deposit ? &cur->ame_deposit : NULL,
                 cur->has_received ? &cur->received_on : NULL, NULL, &deposit);
    if (cur->has_received &&
        droits_input_from_situation(cur->situation, cur->prestation, cur->received_on, deposit,
                                    today, &in, errors) == 0) {
        droits_simulate(&in, res);
        json_decref(simulation);
        simulation = droits_result_to_json(res);
        eligible = res->eligible;
    }
    if (accord && eligible) {
        json_decref(rights);
        rights = json_pack("{s:O, s:O, s:O, s:O, s:b}", "start",
                           json_object_get(simulation, "start"), "end",
                           json_object_get(simulation, "end"), "basis",
                           json_object_get(simulation, "basis"), "retroactive",
                           json_object_get(simulation, "retroactive"), "override", 0);
    } else if (accord) {
        /* the instructor's decision wins, but it must say why and what */
        const json_t *given = json_object_get(c->json, "rights");
        json_t *errs = json_array();

        if (!json_is_string(motif) || json_string_length(motif) == 0)
            fielderr_add(errs, "motif", "required",
                         "La simulation conclut à l'inéligibilité : un accord doit être motivé.");
        if (!json_is_object(given) || !json_is_string(json_object_get(given, "start")))
            fielderr_add(errs, "rights", "required",
                         "La simulation conclut à l'inéligibilité : un accord doit préciser les "
                         "droits ouverts (start, end).");
        if (json_array_size(errs) > 0) {
            call_set_problem(c, 422, "Requête invalide",
                             "Accord contraire à la simulation : motif et droits requis.", errs);
            rc = 1;
            goto out;
        }
        json_decref(errs);
        override = true;
        json_decref(rights);
        rights = json_pack("{s:O, s:O, s:n, s:b, s:b}", "start", json_object_get(given, "start"),
                           "end",
                           json_object_get(given, "end") ? json_object_get(given, "end")
                                                         : json_null(),
                           "basis", "retroactive", 0, "override", 1);
    }
    dec = json_pack("{s:s, s:O, s:s, s:o, s:b}", "decision", accord ? "accord" : "refus", "motif",
                    motif ? motif : json_null(), "at", at, "by", actor(c), "override", override);
    sim_s = json_text(simulation);
    rights_s = json_is_null(rights) ? NULL : json_text(rights);
    dec_s = json_text(dec);
    json_decref(dec);
    cal_format(today, today_s);
    if (dossiers_set_decision(db->pg, c->params[0], dec_s, rights_s, sim_s, today_s) < 0)
        goto out;
    *to = dossier_action_to(act, accord);
    *detail = json_pack("{s:s, s:s, s:O, s:b}", "action", "decide", "decision",
                        accord ? "accord" : "refus", "motif", motif ? motif : json_null(),
                        "override", override);
    rc = 0;
out:
    free(res);
    free(sim_s);
    free(rights_s);
    free(dec_s);
    json_decref(simulation);
    json_decref(rights);
    json_decref(errors);
    return rc;
}

static int request_pieces(struct call *c, struct db *db, const char *at, const char *today_s,
                          json_t **detail)
{
    json_t *req;
    char *req_s;
    int rc;

    req = json_pack("{s:O, s:O, s:s, s:s, s:s}", "pieces", json_object_get(c->json, "pieces"),
                    "message",
                    json_object_get(c->json, "message") ? json_object_get(c->json, "message")
                                                        : json_null(),
                    "requested_on", today_s, "requested_at", at, "by", c->who.sub);
    req_s = json_text(req);
    /* the instruction clock stops counting until the pieces arrive
     * (DOSSIER_CLOCK_SUSPEND_INSTRUCTION: change_clocks) */
    rc = dossiers_set_pieces_requested(db->pg, c->params[0], req_s);
    free(req_s);
    *detail = json_pack("{s:s, s:O, s:O}", "action", "request_pieces", "pieces",
                        json_object_get(req, "pieces"), "message",
                        json_object_get(req, "message"));
    json_decref(req);
    return rc;
}

/* A replayed transition shows the dossier as it is now, read in the caller's
 * caisse (idem_reread_fn). */
bool h_dossier_reread(struct call *c, struct db *db, const char *id)
{
    bool failed = false;
    json_t *doc = dossiers_doc(db->pg, id, c->who.caisse, &failed);

    return reread_shown(c, doc, failed, "dossier", id);
}

/* .load of a transition: the dossier of the caller's caisse, its row locked
 * in the transaction begun here (the job commits it; the dispatcher rolls it
 * back otherwise), kept in c->ctx. */
bool h_dossier_lock(struct call *c, struct db *db)
{
    struct current *cur = calloc(1, sizeof(*cur));
    int found;

    if (cur == NULL) {
        call_set_problem(c, 503, "Service indisponible", "Mémoire insuffisante.", NULL);
        return false;
    }
    c->ctx = cur;
    c->ctx_free = current_free;
    if (!dbpool_begin(c, db))
        return false;
    found = load_current(c, db, cur);
    if (found == 0) {
        struct dossier_head head;

        /* accepted but not yet persisted: it exists, it cannot move yet */
        if (dossier_head_load(c, db, false, &head) > 0) {
            c->retry_after = 1;
            call_set_problem(c, 409, "Dossier en cours d'enregistrement",
                             "Le dossier vient d'être reçu et n'est pas encore enregistré ; "
                             "réessayez dans un instant.",
                             NULL);
        }
    }
    return found > 0;
}

/* .check of a transition: its body, never recorded under its key; then who
 * may take its action (dossier_life.h), after the route's roles. */
bool h_dossier_transition_check(struct call *c, struct db *db)
{
    json_t *errors = json_array();
    const struct dossier_action *act;

    if (dossier_validate_transition(NULL, c->json, errors) > 0) {
        idem_set_invalid(c, db_redis(db), errors);
        return false;
    }
    json_decref(errors);
    act = dossier_action_named(json_str(c->json, "action"));
    return dossier_role_may(c, act);
}

/* After the key (SPEC §2: a retry gets its first answer), If-Match and the
 * status. */
void h_dossier_transition(struct call *c, struct db *db)
{
    struct current *cur = c->ctx;
    json_t *detail = NULL;
    const char *action = json_str(c->json, "action");
    const struct dossier_action *act = dossier_action_named(action);
    const char *to = NULL;
    char at[40], today[CAL_DATE_LEN];
    int rc;

    if (c->if_match > 0 && c->if_match != cur->version) {
        call_set_stale(c, "Le dossier a changé depuis la version indiquée par If-Match ; "
                       "relisez-le.");
        return;
    }
    if (!dossier_action_allowed(act, cur->status)) {
        char d[200];

        snprintf(d, sizeof(d), "L'action « %s » n'est pas permise au statut « %s ».", action,
                 cur->status);
        call_set_problem(c, 409, "Transition impossible", d, NULL);
        return;
    }
    db_ts(clock_now_us(), at, sizeof(at));
    cal_format(clock_today(), today);
    to = dossier_action_to(act, false);
    if (strcmp(act->name, "request_pieces") == 0) {
        rc = request_pieces(c, db, at, today, &detail);
    } else if (strcmp(act->name, "decide") == 0) {
        rc = decide(c, db, act, cur, at, &to, &detail);
        if (rc > 0)
            goto out; /* 422 set */
    } else if (strcmp(act->name, "close") == 0) {
        detail = json_pack("{s:s, s:O}", "action", action, "reason",
                           json_object_get(c->json, "reason"));
        rc = 0;
    } else {
        detail = json_pack("{s:s}", "action", action);
        rc = 0;
    }
    if (rc == 0)
        rc = change_clocks(db, act, c->params[0], at, today);
    if (rc < 0 || record_change(c, db, at, cur->status, to, detail) < 0 ||
        db_commit(db->pg) < 0) {
        call_set_unavailable(c, "La base de données");
        goto out;
    }
    {
        bool failed;

        call_set_document(c, dossiers_doc(db->pg, c->params[0], NULL, &failed));
    }
    audit_record(c, "transition", "dossier", c->params[0]);
out:
    json_decref(detail);
}

