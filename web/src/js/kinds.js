// kinds.js — the four kinds of requests a partner sends (SPEC §4, §8) as data:
// their French name, the API path of their documents, the page of the partner
// space that shows one, and their statuses in words (labels.js).

import {
  DOSSIER_STATUSES, SIGNALEMENT_STATUSES, RENDEZ_VOUS_STATUSES, DEMANDE_DOCUMENT_STATUSES,
} from './labels.js';

function kind(label, plural, api, statuses) {
  return { label, plural, api, statuses };
}

export const REQUEST_KINDS = {
  dossier: kind('Dossier', 'Dossiers', '/v1/dossiers', DOSSIER_STATUSES),
  signalement: kind('Signalement', 'Signalements', '/v1/signalements', SIGNALEMENT_STATUSES),
  rendez_vous: kind('Rendez-vous', 'Rendez-vous', '/v1/rendez-vous', RENDEZ_VOUS_STATUSES),
  demande_document: kind('Demande de document', 'Demandes de document', '/v1/demandes-document',
    DEMANDE_DOCUMENT_STATUSES),
};

/** The page of the partner space showing one request. */
export function requestPage(kind, id) {
  return `/app/espace/demandes/${encodeURIComponent(kind)}/${encodeURIComponent(id)}`;
}

export function statusLabel(kind, status) {
  const k = REQUEST_KINDS[kind];
  return (k && k.statuses[status]) || status || '—';
}

/** Final statuses: nothing more will happen to the request. */
export const FINAL = new Set(['accorde', 'refuse', 'sans_suite', 'soins_realises', 'non_pertinent',
  'abandon', 'honore', 'non_honore', 'annule', 'envoye']);
