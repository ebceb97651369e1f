/*
 * lifecycle.c — applying transmissions, pieces and messages.
 */
#include "lifecycle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "clock.h"
#include "db.h"
#include "dossier_life.h"
#include "deadline.h"
#include "store/alerts.h"
#include "store/applied_entries.h"
#include "store/deadlines.h"
#include "store/dossier_messages.h"
#include "store/dossiers.h"
#include "jsonutil.h"
#include "log.h"
#include "preinstruction.h"
#include "worker.h"

struct applied {
    const struct stream_meta *meta; /* e->m, read once by persist_batch() */
    const json_t *body;             /* e->doc, parsed once by persist_batch() */
    const char *id;
    char at[40];   /* the receipt instant (the API's 202) */
    time_t at_s;
    char *actor;   /* JSON text */
};

static void fail(struct entry *e, const char *why)
{
    snprintf(e->error, sizeof(e->error), "%s", why);
}

static int open_entry(struct applied *a, struct entry *e)
{
    memset(a, 0, sizeof(*a));
    a->meta = &e->m;
    a->body = e->doc;
    a->id = e->m.id;
    if (a->body == NULL || a->id[0] == '\0' || !e->m.has_received_at_us) {
        fail(e, "malformed entry");
        return -1;
    }
    a->at_s = (time_t)(e->m.received_at_us / 1000000);
    db_ts(e->m.received_at_us, a->at, sizeof(a->at));
    if (e->m.has_actor) {
        json_t *actor = stream_actor_json(&e->m.actor);

        a->actor = json_text(actor);
        json_decref(actor);
    }
    return 0;
}

static void close_entry(struct applied *a)
{
    free(a->actor);
}

/* Claim the entry: 1 when it is new, 0 when it was applied before, -1 on error. */
static int claim_once(PGconn *pg, struct entry *e, const struct applied *a)
{
    int n = applied_entries_claim(pg, a->meta->entry, e->id);

    if (n < 0)
        fail(e, "applied_entries insert failed");
    return n;
}

/* Lock the dossier; its status in status (and the rest of the row in *res for
 * the caller). Returns 0, or -1 when it does not exist yet. */
static PGresult *lock_dossier(PGconn *pg, struct entry *e, const char *id)
{
    PGresult *res = dossiers_lock(pg, id, true);

    if (res == NULL) {
        fail(e, "dossier lock failed");
        return NULL;
    }
    if (PQntuples(res) != 1) {
        PQclear(res);
        fail(e, "dossier not persisted yet");
        return NULL;
    }
    return res;
}

/* Open e, claim it once and lock its dossier into *d (store/dossiers.h's row):
 * 1 to apply it, 0 when it was applied before, -1 on failure (e->error set). */
static int begin(PGconn *pg, struct entry *e, struct applied *a, PGresult **d)
{
    int fresh;

    *d = NULL;
    if (open_entry(a, e) < 0)
        return -1;
    fresh = claim_once(pg, e, a);
    if (fresh <= 0)
        return fresh;
    *d = lock_dossier(pg, e, a->id);
    return *d != NULL ? 1 : -1;
}

static int changed(PGconn *pg, const struct applied *a, const char *from, const char *to,
                   json_t *detail)
{
    char *d = json_text(detail);
    int rc = dossiers_changed(pg, a->id, a->at, a->actor, from, to, d);

    free(d);
    json_decref(detail);
    return rc;
}

static void fmt_instant(time_t t, char *buf)
{
    cal_format_instant(t, buf);
}

/* ---- transmission of a deposit ----------------------------------------------- */

/* The caisse's receipt at a's instant (DOSSIER_CLOCK_RECEIPT), in two steps
 * around the status change: received_on set (receipt_date), then the clocks
 * (receipt_clocks) — the instruction clock starts at received_on, the
 * transmission clock stops, and late its breach fires now, once
 * (dossier_transmission_at_receipt). d: the dossier's locked row. 0 or -1. */
static int receipt_date(PGconn *pg, const struct applied *a)
{
    char day[CAL_DATE_LEN];

    cal_format(cal_paris_date(a->at_s), day);
    return dossiers_set_received(pg, a->id, day, a->at);
}

static int receipt_clocks(PGconn *pg, const struct applied *a, PGresult *d)
{
    cal_date received_on = cal_paris_date(a->at_s);
    char day[CAL_DATE_LEN], due_s[32], next_s[32];
    struct deadline_stopped st;
    int stopped, breach = g_config.leads_transmission.n + 1;

    cal_format(received_on, day);
    {
        time_t due = deadline_instruction_due(received_on, 0);
        time_t next = deadline_next_fire(due, &g_config.leads_instruction, 0);

        fmt_instant(due, due_s);
        fmt_instant(next, next_s);
        if (deadlines_start(pg, "dossier", a->id, PQgetvalue(d, 0, 1), PQgetvalue(d, 0, 2),
                            "instruction", day, NULL, due_s, next_s) < 0)
            return -1;
    }
    stopped = deadlines_stop(pg, "dossier", a->id, "transmission", a->at, &st);
    if (stopped < 0)
        return -1;
    if (stopped == 1 && dossier_transmission_at_receipt(st.due_at, a->at_s, st.fired_rank, breach)) {
        char due_at[32];
        json_t *alerts = json_array();
        char *alerts_s;
        int rc;

        json_array_append_new(alerts, dossier_transmission_breach_alert(
                                          cal_format_instant(st.due_at, due_at), a->at));
        alerts_s = json_text(alerts);
        json_decref(alerts);
        {
            const struct alerts_object o = {"dossier", a->id, PQgetvalue(d, 0, DOSSIER_ORG),
                                            PQgetvalue(d, 0, DOSSIER_CAISSE),
                                            PQgetvalue(d, 0, DOSSIER_REFERENCE)};

            rc = 0;
            if (alerts_insert(pg, &o, alerts_s) < 0 ||
                deadlines_set_fired(pg, "dossier", a->id, "transmission", breach) < 0)
                rc = -1;
        }
        free(alerts_s);
        return rc;
    }
    return 0;
}

int lifecycle_apply_transmit(PGconn *pg, struct entry *e)
{
    const struct dossier_action *act = dossier_action_of_entry(e->type);
    struct applied a;
    PGresult *d = NULL;
    const char *status;
    int rc = begin(pg, e, &a, &d);

    if (rc <= 0)
        goto out;
    rc = -1;
    status = PQgetvalue(d, 0, 0);
    if (!dossier_action_allowed(act, status)) {
        rc = changed(pg, &a, status, status,
                     json_pack("{s:s, s:s}", "action", act->name, "ignored", "déjà transmis"));
        goto out;
    }
    if (((act->clocks & DOSSIER_CLOCK_RECEIPT) && receipt_date(pg, &a) < 0) ||
        changed(pg, &a, status, dossier_action_to(act, false),
                json_pack("{s:s}", "action", act->name)) < 0 ||
        ((act->clocks & DOSSIER_CLOCK_RECEIPT) && receipt_clocks(pg, &a, d) < 0))
        goto out;
    rc = 0;
out:
    if (d != NULL)
        PQclear(d);
    close_entry(&a);
    return rc;
}

/* ---- pieces answering a request ------------------------------------------------ */

/* Move the instruction clock after a suspension (SPEC §6): under "suspend" the
 * due date moves by the whole days suspended; under "reset" the 30 days start
 * again at the pieces' receipt. Either way it is a new deadline: nothing of it
 * has fired yet. Returns the days added, or -1 on error. */
static int resume_instruction(PGconn *pg, const struct applied *a, cal_date requested_on,
                              cal_date receipt)
{
    cal_date started;
    int days, total, found = deadlines_lock(pg, "dossier", a->id, "instruction", &started, &total);
    time_t due, next;
    char due_s[32], next_s[32], start_s[CAL_DATE_LEN];

    if (found <= 0)
        return found; /* 0: no running instruction clock, nothing to move */
    days = deadline_suspended_days(requested_on, receipt);
    total += days;
    if (g_config.instruction_reset) {
        started = receipt;
        total = 0;
    }
    due = deadline_instruction_due(started, total);
    next = deadline_next_fire(due, &g_config.leads_instruction, 0);
    cal_format_instant(due, due_s);
    cal_format_instant(next, next_s);
    cal_format(started, start_s);
    if (deadlines_restart(pg, "dossier", a->id, "instruction", start_s, total, due_s, next_s) < 0)
        return -1;
    return days;
}

/* Run the pre-instruction again with the pieces now on file, so that the
 * instructor sees what is still missing after the partner's answer. */
static int refresh_preinstruction(PGconn *pg, const char *id)
{
    PGresult *res = dossiers_facts(pg, id, NULL); /* locked already by lock_dossier */
    json_t *situation, *pieces, *pre;
    cal_date received = {0, 0, 0}, deposit = {0, 0, 0}, ame = {0, 0, 0};
    bool has_received, has_ame;
    char *pre_s;
    int rc;

    if (res == NULL)
        return -1;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return 0;
    }
    situation = db_json(res, 0, FACT_SITUATION);
    pieces = db_json(res, 0, FACT_PIECES);
    has_received = cal_parse(db_value(res, 0, FACT_RECEIVED_ON), &received);
    has_ame = cal_parse(db_value(res, 0, FACT_AME_DEPOSIT_ON), &ame);
    deposit_date(has_ame ? &ame : NULL, has_received ? &received : NULL, NULL, &deposit);
    pre = preinstruction_run(g_pieces_table, PQgetvalue(res, 0, FACT_PRESTATION), situation,
                             pieces, received, deposit, clock_today());
    PQclear(res);
    json_decref(situation);
    json_decref(pieces);
    if (pre == NULL)
        return 0;
    pre_s = json_text(pre);
    json_decref(pre);
    rc = dossiers_set_pre_instruction(pg, id, pre_s);
    free(pre_s);
    return rc;
}

int lifecycle_apply_pieces(PGconn *pg, struct entry *e)
{
    const struct dossier_action *act = dossier_action_of_entry(e->type);
    struct applied a;
    PGresult *d = NULL;
    char *pieces = NULL;
    const char *status;
    int rc = begin(pg, e, &a, &d);

    if (rc <= 0)
        goto out;
    rc = -1;
    pieces = json_text(json_object_get(a.body, "pieces"));
    /* the pieces are kept whatever the status: nothing a partner sends is lost */
    if (dossiers_add_pieces(pg, a.id, pieces) < 0)
        goto out;
    status = PQgetvalue(d, 0, 0);
    if (!dossier_action_allowed(act, status)) {
        rc = changed(pg, &a, status, status,
                     json_pack("{s:s, s:O, s:s}", "action", act->name, "pieces",
                               json_object_get(a.body, "pieces"), "note",
                               "pièces reçues hors d'une demande en cours"));
        goto out;
    }
    {
        cal_date requested_on, receipt = cal_paris_date(a.at_s);
        int days = 0;

        if ((act->clocks & DOSSIER_CLOCK_RESUME_INSTRUCTION) &&
            cal_parse(db_value(d, 0, DOSSIER_REQUESTED_ON), &requested_on)) {
            days = resume_instruction(pg, &a, requested_on, receipt);
            if (days < 0)
                goto out;
        }
        if (dossiers_set_pieces_requested(pg, a.id, NULL) < 0 ||
            refresh_preinstruction(pg, a.id) < 0)
            goto out;
        rc = changed(pg, &a, status, dossier_action_to(act, false),
                     json_pack("{s:s, s:O, s:i, s:s}", "action", act->name, "pieces",
                               json_object_get(a.body, "pieces"), "suspended_days", days,
                               "policy", g_config.instruction_reset ? "reset" : "suspend"));
    }
out:
    free(pieces);
    if (d != NULL)
        PQclear(d);
    close_entry(&a);
    return rc;
}

/* ---- messages ------------------------------------------------------------------ */

int lifecycle_apply_message(PGconn *pg, struct entry *e)
{
    struct applied a;
    char seq[32];
    const char *message_id;
    int rc = -1, exists;

    if (open_entry(&a, e) < 0)
        goto out;
    message_id = a.meta->message_id;
    if (message_id[0] == '\0' || json_str(a.body, "body") == NULL) {
        fail(e, "malformed message entry");
        goto out;
    }
    snprintf(seq, sizeof(seq), "%lld", persist_stream_seq(e->id));
    if (dossier_messages_add(pg, message_id, a.id, seq, a.actor, json_str(a.body, "body"),
                             a.at) < 0) {
        fail(e, "message insert failed");
        goto out;
    }
    exists = dossiers_exists(pg, a.id);
    if (exists < 0)
        goto out;
    if (exists == 0) {
        fail(e, "dossier not persisted yet");
        goto out;
    }
    rc = 0;
out:
    close_entry(&a);
    return rc;
}
