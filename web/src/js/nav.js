// nav.js — the navigation of each role. The back office (instructor, admin)
// has the pages of SPEC §12; the partner space (issue 12) adds its own here.

const BACK_OFFICE = [
  { href: '/app/', label: 'Dossiers à instruire', match: (p) => p === '/app/' || p.startsWith('/app/dossiers') },
  { href: '/app/signalements', label: 'Signalements', match: (p) => p.startsWith('/app/signalements') },
  { href: '/app/rendez-vous', label: 'Rendez-vous', match: (p) => p.startsWith('/app/rendez-vous') },
  { href: '/app/demandes-document', label: 'Demandes de document', match: (p) => p.startsWith('/app/demandes-document') },
  { href: '/app/alertes', label: 'Alertes' },
  { href: '/app/partenaires', label: 'Partenaires' },
  { href: '/app/indicateurs', label: 'Indicateurs' },
];

const PARTNER = [
  { href: '/app/espace/demandes', label: 'Mes demandes', match: (p) => p.startsWith('/app/espace/demandes') },
  { href: '/app/espace/nouveau-dossier', label: 'Nouveau dossier' },
  { href: '/app/espace/nouveau-signalement', label: 'Nouveau signalement' },
  { href: '/app/espace/demande-rendez-vous', label: 'Demande de rendez-vous' },
  { href: '/app/espace/demande-document', label: 'Demande de document' },
  { href: '/app/espace/alertes', label: 'Alertes' },
  { href: '/app/espace/webhooks', label: 'Webhooks', match: (p) => p.startsWith('/app/espace/webhooks') },
];

export function navFor(role) {
  if (role === 'instructor' || role === 'admin') return BACK_OFFICE;
  if (role === 'partner') return PARTNER;
  return [];
}

export function homeFor(role) {
  return role === 'partner' ? '/app/espace/demandes' : '/app/';
}

export function roleLabel(c) {
  if (c.role === 'instructor') return `Instructeur — caisse ${c.caisse || '?'}`;
  if (c.role === 'admin') return 'Administrateur';
  if (c.role === 'partner') return 'Partenaire';
  return c.role;
}
