// partenaires.js — "Partenaires" (SPEC §12): the organisations of the caisse
// with the state of their convention (en vigueur, échue, résiliée), computed by
// the API at the product's today (convention_state).

import { h, replace, formatDate } from '../dom.js';
import { route } from '../router.js';
import { ORG_KINDS, label } from '../labels.js';
import { organisations, forgetOrganisations } from '../orgs.js';

const STATES = {
  en_vigueur: ['En vigueur', 'badge-ok'], echue: ['Échue', 'badge-warning'],
  resiliee: ['Résiliée', 'badge-danger'], a_venir: ['À venir', ''],
};

function conventionWords(c) {
  if (!c) return '—';
  const parts = [`signée le ${formatDate(c.signed_on)}`, `${c.duration_months || 12} mois`, c.tacit_renewal === false ? 'sans tacite reconduction' : 'tacite reconduction'];
  if (c.terminated_on) parts.push(`résiliée au ${formatDate(c.terminated_on)}`);
  return parts.join(', ');
}

route({
  path: '/app/partenaires',
  roles: ['instructor', 'admin'],
  title: 'Partenaires',
  async render(main) {
    forgetOrganisations();
    const orgs = await organisations();
    const table = h('table', { class: 'list' },
      h('caption', {}, 'Organisations partenaires et état de leur convention'),
      h('thead', {}, h('tr', {}, ['Organisation', 'Type', 'Caisse', 'Convention', 'État de la convention', 'Référent', 'AME (primo-demandes)'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, orgs.map((o) => {
        const [word, cls] = STATES[o.convention_state] || ['Inconnu', ''];
        return h('tr', {},
          h('th', { scope: 'row', 'data-label': 'Organisation' }, o.name),
          h('td', { 'data-label': 'Type' }, label(ORG_KINDS, o.kind)),
          h('td', { 'data-label': 'Caisse' }, o.caisse),
          h('td', { 'data-label': 'Convention' }, conventionWords(o.convention)),
          h('td', { 'data-label': 'État de la convention' }, h('span', { class: ['badge', cls] }, word)),
          h('td', { 'data-label': 'Référent' }, o.referent ? [o.referent.name, o.referent.email ? ` — ${o.referent.email}` : '', o.referent.phone ? ` — ${o.referent.phone}` : ''] : '—'),
          h('td', { 'data-label': 'AME (primo-demandes)' }, o.ame_first_request_allowed ? 'Habilitée' : 'Non habilitée'));
      })));
    replace(main, h('h1', {}, 'Partenaires'),
      orgs.length ? h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Liste des partenaires' }, table) : h('p', {}, 'Aucune organisation.'));
  },
});
