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
  { href: '/app/espace-partenaire', label: 'Espace partenaire' },
];

export function navFor(role) {
  if (role === 'instructor' || role === 'admin') return BACK_OFFICE;
  if (role === 'partner') return PARTNER;
  return [];
}

export function homeFor(role) {
  return role === 'partner' ? '/app/espace-partenaire' : '/app/';
}

export function roleLabel(c) {
  if (c.role === 'instructor') return `Instructeur — caisse ${c.caisse || '?'}`;
  if (c.role === 'admin') return 'Administrateur';
  if (c.role === 'partner') return 'Partenaire';
  return c.role;
}
