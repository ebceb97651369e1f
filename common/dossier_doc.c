/*
 * dossier_doc.c — finishing dossier documents.
 */
#include "dossier_doc.h"

#include <string.h>

#include "calendar.h"
#include "echeance.h"
#include "jsonutil.h"

void dossier_doc_finish(json_t *doc, time_t now)
{
    json_t *deadlines = json_object_get(doc, "deadlines");
    json_t *d;
    size_t i;

    json_array_foreach(deadlines, i, d) {
        time_t due = 0, stopped_at = 0;
        const char *stopped = json_str(d, "stopped_at");
        bool suspended = json_str(d, "suspended_on") != NULL;

        cal_parse_instant(json_str(d, "due_at"), &due);
        if (stopped != NULL)
            cal_parse_instant(stopped, &stopped_at);
        json_object_set_new(d, "state",
                            json_string(echeance_state_name(echeance_state(
                                due, suspended, stopped != NULL, stopped_at, now))));
        json_object_del(d, "suspended_on");
    }
}

static json_t *deadline(const char *clock, time_t due)
{
    char buf[32];

    return json_pack("{s:s, s:s, s:i, s:n, s:n}", "clock", clock, "due_at",
                     cal_format_instant(due, buf), "suspended_days", 0, "suspended_on",
                     "stopped_at");
}

json_t *dossier_doc_pending(const json_t *meta, const json_t *body)
{
    json_t *doc = json_object();
    json_t *deadlines = json_array();
    static const char *from_meta[] = {"id", "reference", "org", "caisse", "status",
                                      "received_at", "received_on"};
    static const char *from_body[] = {"prestation", "first_request", "deposited_on",
                                      "applicant", "situation", "pieces", "consent"};
    cal_date received, deposited;

    for (size_t i = 0; i < sizeof(from_meta) / sizeof(from_meta[0]); i++) {
        json_t *v = json_object_get(meta, from_meta[i]);

        json_object_set(doc, from_meta[i], v ? v : json_null());
    }
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
    if (cal_parse(json_str(meta, "received_on"), &received))
        json_array_append_new(deadlines,
                              deadline("instruction", echeance_instruction_due(received, 0)));
    /* an AME first request deposited at a habilitated organisation */
    if (cal_parse(json_str(meta, "ame_deposit_on"), &deposited))
        json_array_append_new(deadlines,
                              deadline("transmission", echeance_transmission_due(deposited)));
    json_object_set_new(doc, "deadlines", deadlines);
    return doc;
}
