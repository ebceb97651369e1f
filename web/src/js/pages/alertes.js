// alertes.js — "Alertes" (SPEC §12, §6): the latest alerts of the caisse,
// warnings and breaches, each linked to its request.

import { h, replace, formatInstant } from '../dom.js';
import { route, navigate } from '../router.js';
import { get, qs } from '../api.js';
import { CLOCKS, label } from '../labels.js';

const PAGES = { dossier: 'dossiers', signalement: 'signalements', rendez_vous: 'rendez-vous', demande_document: 'demandes-document' };
const TYPES = { dossier: 'Dossier', signalement: 'Signalement', rendez_vous: 'Rendez-vous', demande_document: 'Demande de document' };

function lead(iso) {
  if (!iso) return '—';
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(iso);
  if (!m) return iso;
  const parts = [];
  if (m[1]) parts.push(`${m[1]} jour${m[1] === '1' ? '' : 's'}`);
  if (m[2]) parts.push(`${m[2]} heure${m[2] === '1' ? '' : 's'}`);
  if (m[3]) parts.push(`${m[3]} minute${m[3] === '1' ? '' : 's'}`);
  return `${parts.join(' ')} avant`;
}

route({
  path: '/app/alertes',
  roles: ['instructor', 'admin'],
  title: 'Alertes',
  async render(main, params, query) {
    const level = query.get('level');
    const clock = query.get('clock');
    const cursor = query.get('cursor');
    const r = await get('/v1/alerts' + qs({ level, clock, cursor, limit: 100 }));
    const items = r.json.items;
    const form = h('form', { class: 'filters', novalidate: true, 'aria-label': 'Filtrer les alertes',
      onsubmit: (ev) => { ev.preventDefault(); const f = new FormData(ev.target); navigate('/app/alertes' + qs({ level: f.get('level'), clock: f.get('clock') })); } },
    h('div', { class: 'field' }, h('label', { for: 'f-level' }, 'Niveau'),
      h('select', { id: 'f-level', name: 'level' }, h('option', { value: '' }, 'Tous'),
        h('option', { value: 'warning', selected: level === 'warning' }, 'Alerte avant échéance'),
        h('option', { value: 'breach', selected: level === 'breach' }, 'Délai dépassé'))),
    h('div', { class: 'field' }, h('label', { for: 'f-clock' }, 'Échéance'),
      h('select', { id: 'f-clock', name: 'clock' }, h('option', { value: '' }, 'Toutes'),
        Object.entries(CLOCKS).map(([k, v]) => h('option', { value: k, selected: clock === k }, v)))),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Filtrer')));
    const table = h('table', { class: 'list' },
      h('caption', {}, 'Alertes de la caisse, les plus récentes en premier'),
      h('thead', {}, h('tr', {}, ['Déclenchée le', 'Niveau', 'Objet', 'Échéance', 'Due le', 'Délai d\'alerte'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, items.map((a) => {
        const o = a.object || {};
        const page = PAGES[o.type];
        const name = `${TYPES[o.type] || o.type} ${o.reference || ''}`.trim();
        return h('tr', { class: a.level === 'breach' ? 'breached' : null },
          h('td', { 'data-label': 'Déclenchée le' }, formatInstant(a.fired_at)),
          h('td', { 'data-label': 'Niveau' }, a.level === 'breach' ? h('span', { class: 'badge badge-danger' }, 'Délai dépassé') : h('span', { class: 'badge badge-warning' }, 'Alerte avant échéance')),
          h('th', { scope: 'row', 'data-label': 'Objet' }, page ? h('a', { href: `/app/${page}/${o.id}` }, name) : name),
          h('td', { 'data-label': 'Échéance' }, label(CLOCKS, a.clock)),
          h('td', { 'data-label': 'Due le' }, formatInstant(a.due_at)),
          h('td', { 'data-label': 'Délai d\'alerte' }, a.level === 'breach' ? '—' : lead(a.lead)));
      })));
    const next = r.json.next_cursor;
    replace(main, h('h1', {}, 'Alertes'), form,
      items.length ? h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Liste des alertes' }, table) : h('p', {}, 'Aucune alerte.'),
      h('nav', { class: 'pager', 'aria-label': 'Pages de la liste' },
        next ? h('a', { class: 'button button-secondary', href: '/app/alertes' + qs({ level, clock, cursor: next }), rel: 'next' }, 'Alertes plus anciennes') : null));
  },
});
