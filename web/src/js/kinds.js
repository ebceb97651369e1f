// kinds.js — the four kinds of requests a partner sends (SPEC §4, §8) as data:
// their French name, the API path of their documents, the page of the partner
// space that shows one, and their statuses in words (labels.js).

import {
  DOSSIER_STATUSES, SIGNALEMENT_STATUSES, RENDEZ_VOUS_STATUSES, DEMANDE_DOCUMENT_STATUSES,
} from './labels.js';

export const REQUEST_KINDS = {
  dossier: {
    label: 'Dossier', plural: 'Dossiers', api: '/v1/dossiers',
    statuses: DOSSIER_STATUSES,
  },
  signalement: {
    label: 'Signalement', plural: 'Signalements', api: '/v1/signalements',
    statuses: SIGNALEMENT_STATUSES,
  },
  rendez_vous: {
    label: 'Rendez-vous', plural: 'Rendez-vous', api: '/v1/rendez-vous',
    statuses: RENDEZ_VOUS_STATUSES,
  },
  demande_document: {
    label: 'Demande de document', plural: 'Demandes de document', api: '/v1/demandes-document',
    statuses: DEMANDE_DOCUMENT_STATUSES,
  },
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
