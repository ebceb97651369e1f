/*
 * dossier_doc.h — the dossier document as the API shows it, where C must add to
 * what PostgreSQL builds (sql/002_documents.sql): the displayed state of each
 * deadline at the product's now, and the document of a dossier still waiting in
 * the queue.
 */
#ifndef EPART_DOSSIER_DOC_H
#define EPART_DOSSIER_DOC_H

#include <jansson.h>
#include <time.h>

/* Add "state" to each entry of doc's "deadlines" as of now, and drop the
 * internal fields. */
void dossier_doc_finish(json_t *doc, time_t now);

/* The document of a dossier accepted (202) but not yet persisted, from the
 * entry's meta and the partner's body: status recu or depose, version 1, the
 * provisional instruction (and transmission) deadlines, empty history. */
json_t *dossier_doc_pending(const json_t *meta, const json_t *body);

#endif
