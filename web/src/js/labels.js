// labels.js — the French words for the API's codes (SPEC §4, §6, §8).

export const PRESTATIONS = { puma: 'PUMa', css: 'Complémentaire santé solidaire', ame: 'AME' };

export const DOSSIER_STATUSES = {
  depose: 'Déposé', recu: 'Reçu', en_instruction: 'En instruction',
  pieces_demandees: 'Pièces demandées', accorde: 'Accordé', refuse: 'Refusé', sans_suite: 'Classé sans suite',
};

export const CLOCKS = {
  instruction: 'Instruction', transmission: 'Transmission',
  prise_en_charge: 'Prise en charge', rappel: 'Rappel',
};

export const CLOCK_STATES = {
  running: 'en cours', suspended: 'suspendu', met: 'respecté', breached: 'Délai dépassé',
};

export const PIECES = {
  identite: "Pièce d'identité", justificatif_domicile: 'Justificatif de domicile',
  attestation_domiciliation: 'Attestation de domiciliation', justificatif_ressources: 'Justificatif de ressources',
  justificatif_soins: 'Justificatif de soins', titre_sejour: 'Titre de séjour', autre: 'Autre pièce',
};

export const ORG_KINDS = {
  ccas: 'CCAS', cias: 'CIAS', pass_ville: 'PASS de ville', pass_hospitaliere: 'PASS hospitalière',
  etablissement_sante: 'Établissement de santé', france_services: 'France Services', siao: 'SIAO',
  association: 'Association', mission_locale: 'Mission locale', autre: 'Autre',
};

export function label(map, code) {
  return (code && map[code]) || code || '—';
}
