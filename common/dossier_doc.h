/*
 * dossier_doc.h — the dossier document as the API shows it, where C must add to
 * what PostgreSQL builds (sql/functions/20_dossiers.sql): the displayed state of each
 * deadline at the product's now, and the document of a dossier still waiting in
 * the queue.
 */
#ifndef EPART_DOSSIER_DOC_H
#define EPART_DOSSIER_DOC_H

#include <jansson.h>
#include <time.h>

#include "jsonutil.h"
#include "stream.h"

struct config;

/* Add "state" to each entry of doc's "deadlines" as of now, and drop the
 * internal fields. With cfg (its warning leads), a running clock also gets
 * "in_warning" (true once now has reached its first, most distant warning lead)
 * and "days_left" (whole days from now to its due time), so that a page shows
 * "J-<days left>" at the product's now, test clock included. */
void dossier_doc_finish(json_t *doc, time_t now, const struct config *cfg);

/* dossier_doc_finish() of a document's "deadlines" array alone. */
void dossier_deadlines_finish(json_t *deadlines, time_t now, const struct config *cfg);

/* Append to out the text of a stored dossier's document as the API shows it,
 * without parsing the document: fields, its JSON object text without
 * "deadlines" (epart_dossier_fields, sql/functions/20_dossiers.sql), written
 * compact, with "deadlines" as its last member — deadlines, the JSON array text
 * epart_deadlines_doc wrote, finished by dossier_deadlines_finish(). The same
 * JSON value as dossier_doc_finish() of epart_dossier_doc's document, dumped.
 * 0, or -1 when a text is not what it should be or memory ran out (out then
 * unchanged). */
int dossier_doc_text(struct text_buf *out, const char *fields, size_t fields_len,
                     const char *deadlines, size_t deadlines_len, time_t now,
                     const struct config *cfg);

/* The warning leads of a clock by name ("instruction", "transmission",
 * "prise_en_charge", "rappel"), or NULL for an unknown name: the one mapping,
 * read by the documents' finishing and by the worker's scanner. */
const struct clock_leads *dossier_doc_leads(const struct config *cfg, const char *clock);

/* The document of a dossier accepted (202) but not yet persisted, from the
 * entry's meta and the partner's body: status recu or depose, version 1, the
 * provisional instruction (and transmission) deadlines, empty history. */
json_t *dossier_doc_pending(const struct stream_meta *m, const json_t *body);

#endif
