/*
 * dossier_doc.c — finishing dossier documents.
 */
#include "dossier_doc.h"

#include <string.h>

#include "calendar.h"
#include "config.h"
#include "deadline.h"
#include "jsonfast.h"
#include "jsonutil.h"

const struct clock_leads *dossier_doc_leads(const struct config *cfg, const char *clock)
{
    if (cfg == NULL || clock == NULL)
        return NULL;
    if (strcmp(clock, "instruction") == 0)
        return &cfg->leads_instruction;
    if (strcmp(clock, "transmission") == 0)
        return &cfg->leads_transmission;
    if (strcmp(clock, "prise_en_charge") == 0)
        return &cfg->leads_prise_en_charge;
    if (strcmp(clock, "rappel") == 0)
        return &cfg->leads_rappel;
    return NULL;
}

static void add_warning(json_t *d, time_t due, time_t now, const struct clock_leads *leads)
{
    bool in_warning = leads != NULL && leads->n > 0 && now >= due - leads->seconds[0];

    json_object_set_new(d, "in_warning", json_boolean(in_warning));
    json_object_set_new(d, "days_left", json_integer(due > now ? (json_int_t)((due - now) / 86400) : 0));
}

void dossier_deadlines_finish(json_t *deadlines, time_t now, const struct config *cfg)
{
    json_t *d;
    size_t i;

    json_array_foreach(deadlines, i, d) {
        time_t due = 0, stopped_at = 0;
        const char *stopped = json_str(d, "stopped_at");
        bool suspended = json_str(d, "suspended_on") != NULL;

        cal_parse_instant(json_str(d, "due_at"), &due);
        if (stopped != NULL)
            cal_parse_instant(stopped, &stopped_at);
        enum deadline_state st = deadline_state(due, suspended, stopped != NULL, stopped_at, now);

        json_object_set_new(d, "state", json_string(deadline_state_name(st)));
        if (cfg != NULL && st == DEADLINE_RUNNING)
            add_warning(d, due, now, dossier_doc_leads(cfg, json_str(d, "clock")));
        json_object_del(d, "suspended_on");
    }
}

void dossier_doc_finish(json_t *doc, time_t now, const struct config *cfg)
{
    dossier_deadlines_finish(json_object_get(doc, "deadlines"), now, cfg);
}

int dossier_doc_text(struct text_buf *out, const char *fields, size_t fields_len,
                     const char *deadlines, size_t deadlines_len, time_t now,
                     const struct config *cfg)
{
    size_t start = out->len, end = fields_len;
    json_t *list = json_loadb_fast(deadlines, deadlines_len, 0, NULL);
    int rc = -1;

    while (end > 0 && (fields[end - 1] == ' ' || fields[end - 1] == '\n'))
        end--;
    if (json_is_array(list) && end > 0 && fields[end - 1] == '}') {
        dossier_deadlines_finish(list, now, cfg);
        /* the fields without their closing brace, then "deadlines" last */
        if (json_text_compact(out, fields, end - 1) == 0 &&
            text_buf_str(out, out->s[out->len - 1] == '{' ? "\"deadlines\":"
                                                           : ",\"deadlines\":") == 0 &&
            json_fast_dump(list, false, text_buf_add, out) == 0 &&
            text_buf_add("}", 1, out) == 0)
            rc = 0;
    }
    json_decref(list);
    if (rc != 0 && out->s != NULL) {
        out->len = start;
        out->s[start] = '\0';
    }
    return rc;
}

static json_t *deadline(const char *clock, time_t due)
{
    char buf[32];

    return json_pack("{s:s, s:s, s:i, s:n, s:n}", "clock", clock, "due_at",
                     cal_format_instant(due, buf), "suspended_days", 0, "suspended_on",
                     "stopped_at");
}

json_t *dossier_doc_pending(const struct stream_meta *m, const json_t *body)
{
    json_t *doc = json_object();
    json_t *deadlines = json_array();
    static const char *from_body[] = {"prestation", "first_request", "deposited_on",
                                      "applicant", "situation", "pieces", "consent"};
    char day[CAL_DATE_LEN];

    stream_meta_doc(m, doc);
    json_object_set_new(doc, "received_on",
                        m->has_received_on ? json_string(cal_format(m->received_on, day))
                                           : json_null());
    for (size_t i = 0; i < sizeof(from_body) / sizeof(from_body[0]); i++) {
        json_t *v = json_object_get(body, from_body[i]);

        json_object_set(doc, from_body[i], v ? v : json_null());
    }
    if (!json_is_boolean(json_object_get(doc, "first_request")))
        json_object_set_new(doc, "first_request", json_false());
    if (!json_is_array(json_object_get(doc, "pieces")))
        json_object_set_new(doc, "pieces", json_array());
    json_object_set_new(doc, "version", json_integer(1));
    json_object_set_new(doc, "decided_on", json_null());
    json_object_set_new(doc, "pre_instruction", json_null());
    json_object_set_new(doc, "decision", json_null());
    json_object_set_new(doc, "rights", json_null());
    json_object_set_new(doc, "history", json_array());
    json_object_set_new(doc, "queued", json_true());
    if (m->has_received_on)
        json_array_append_new(deadlines,
                              deadline("instruction", deadline_instruction_due(m->received_on, 0)));
    /* an AME first request deposited at a habilitated organisation */
    if (m->has_ame_deposit)
        json_array_append_new(deadlines, deadline("transmission",
                                                  deadline_transmission_due(m->ame_deposit_on)));
    json_object_set_new(doc, "deadlines", deadlines);
    return doc;
}
