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

export const SIGNALEMENT_STATUSES = {
  recu: 'Reçu', pris_en_charge: 'Pris en charge', en_cours: 'En cours',
  soins_realises: 'Soins réalisés', non_pertinent: 'Non pertinent', abandon: 'Abandon',
};

export const RENDEZ_VOUS_STATUSES = {
  demande: 'Demandé', rappele: 'Rappelé', planifie: 'Planifié',
  honore: 'Honoré', non_honore: 'Non honoré', annule: 'Annulé',
};

export const DEMANDE_DOCUMENT_STATUSES = { demande: 'Demandé', envoye: 'Envoyé', refuse: 'Refusé' };

export const SIGNALEMENT_REASONS = {
  demarches_inconnues: 'Démarches inconnues', sans_complementaire: 'Sans complémentaire santé',
  difficulte_rendez_vous: "Difficulté d'obtenir un rendez-vous", avance_de_frais: "Avance de frais impossible",
  isolement_deplacement: 'Isolement, difficulté de déplacement', numerique: 'Difficulté avec le numérique', autre: 'Autre',
};

export const DOCUMENTS = {
  attestation_droits: 'Attestation de droits', attestation_css: 'Attestation de complémentaire santé solidaire',
  attestation_ame: "Attestation d'AME", releve_remboursements: 'Relevé de remboursements',
  carte_europeenne: "Carte européenne d'assurance maladie",
};

/** How a requested document reaches the person (POST /v1/demandes-document). */
export const CHANNELS = {
  courrier: 'Courrier à la personne', email: 'Courriel à la personne',
  remise_partenaire: 'Remise par le partenaire', compte_ameli: 'Compte ameli de la personne',
};

export const SEXES = { F: 'Femme', M: 'Homme', X: "Non précisé à l'état civil" };

/** A code shown to people when no label is known: "renoncement_soins" → "Renoncement soins". */
export function humanize(code) {
  if (!code) return '—';
  const s = String(code).replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}
