// indicateurs.js — "Indicateurs" (SPEC §12, §9): the COPIL indicators for a
// chosen period and organisation. Each chart (charts.css, MIT: pure CSS over an
// HTML table, so nothing is drawn by script) is followed by its data as a
// table; the chart itself is hidden from assistive technologies, which read
// the table. "Exporter en CSV" downloads the API's own CSV for the same choice.

import { h, replace, notice } from '../dom.js';
import { route, navigate } from '../router.js';
import { get, qs } from '../api.js';
import { organisations } from '../orgs.js';
import { downloadCsv } from '../download.js';

function ensureStylesheet(href) {
  if (!document.querySelector(`link[href="${href}"]`)) {
    document.head.append(h('link', { rel: 'stylesheet', href }));
  }
}

const fmt = (v) => (v === null || v === undefined ? '—' : typeof v === 'number' ? v.toLocaleString('fr-FR', { maximumFractionDigits: 1 }) : String(v));

/** A bar chart of rows [label, value] and the same data as a table. */
function chart(id, title, rows, unit = '') {
  const max = Math.max(1, ...rows.map(([, v]) => (typeof v === 'number' ? v : 0)));
  const bars = h('table', { class: 'charts-css bar show-labels show-primary-axis data-spacing-4', 'aria-hidden': 'true' },
    h('tbody', {}, rows.map(([name, v]) => h('tr', {},
      h('th', { scope: 'row' }, name),
      h('td', { style: { '--size': String((typeof v === 'number' ? v : 0) / max) } }, h('span', { class: 'data' }, fmt(v)))))));
  const data = h('table', { class: 'data-table' },
    h('caption', {}, `${title} — données du graphique`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Libellé'), h('th', { scope: 'col' }, unit ? `Valeur (${unit})` : 'Valeur'))),
    h('tbody', {}, rows.map(([name, v]) => h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, fmt(v))))));
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title),
    h('figure', { class: 'chart' }, bars), h('div', { class: 'table-wrap' }, data));
}

function delayRows(name, d) {
  d = d || {};
  return [[`${name} — médiane`, d.median ?? null], [`${name} — 9e décile`, d.p90 ?? null]];
}

function defaultPeriod() {
  const today = new Date();
  const to = today.toISOString().slice(0, 10);
  const from = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 11, 1)).toISOString().slice(0, 10);
  return { from, to };
}

route({
  path: '/app/indicateurs',
  roles: ['instructor', 'admin'],
  title: 'Indicateurs',
  async render(main, params, query) {
    ensureStylesheet('/app/vendor/charts.min.css');
    const def = defaultPeriod();
    const from = query.get('from') || def.from;
    const to = query.get('to') || def.to;
    const org = query.get('org') || '';
    const [orgs, res] = await Promise.all([organisations(), get('/v1/indicateurs' + qs({ from, to, org }))]);
    const ind = res.json;
    const t = ind.total || {};
    const status = h('div', { role: 'status', 'aria-live': 'polite' });
    const form = h('form', { class: 'filters', novalidate: true, 'aria-label': 'Période et organisation',
      onsubmit: (ev) => { ev.preventDefault(); const f = new FormData(ev.target); navigate('/app/indicateurs' + qs({ from: f.get('from'), to: f.get('to'), org: f.get('org') })); } },
    h('div', { class: 'field' }, h('label', { for: 'f-from' }, 'Du'), h('input', { type: 'date', id: 'f-from', name: 'from', value: from })),
    h('div', { class: 'field' }, h('label', { for: 'f-to' }, 'Au'), h('input', { type: 'date', id: 'f-to', name: 'to', value: to })),
    h('div', { class: 'field' }, h('label', { for: 'f-org' }, 'Organisation'),
      h('select', { id: 'f-org', name: 'org' }, h('option', { value: '' }, 'Toutes les organisations'),
        orgs.map((o) => h('option', { value: o.id, selected: org === o.id }, o.name)))),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Afficher')));
    const dt = t.dossiers_transmitted || {};
    const sg = t.signalements || {};
    const ame = t.ame_first_requests || {};
    const rod = t.rights_opening_delay_days || {};
    const dl = t.deadlines || {};
    const clocks = [['instruction', 'Instruction (30 jours)'], ['transmission', 'Transmission AME (8 jours)'], ['prise_en_charge', 'Prise en charge MisAS (48 h)'], ['rappel', 'Rappel des rendez-vous (24 h)']];
    const byStatus = sg.by_status || {};
    const outcomes = ame.outcomes || {};
    replace(main,
      h('h1', {}, 'Indicateurs'),
      h('p', {}, `Suivi du partenariat (COPIL) du ${from.split('-').reverse().join('/')} au ${to.split('-').reverse().join('/')}${org ? ` — ${(orgs.find((o) => o.id === org) || {}).name || ''}` : ' — toutes les organisations'}.`),
      form,
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button-secondary', id: 'export-indicateurs',
        onclick: () => downloadCsv('/v1/indicateurs' + qs({ from, to, org }), `indicateurs_${from}_${to}.csv`, status) }, 'Exporter en CSV')),
      status,
      chart('ind-dossiers', 'Dossiers transmis par prestation', [['PUMa', dt.puma ?? 0], ['Complémentaire santé solidaire', dt.css ?? 0], ['AME', dt.ame ?? 0], ['Total', dt.total ?? 0]]),
      chart('ind-signalements', 'Orientations vers la Mission accompagnement santé et leurs suites', [
        ['Reçues', sg.received ?? 0], ['Non encore prises en charge', byStatus.recu ?? 0], ['Prises en charge', byStatus.pris_en_charge ?? 0],
        ['Accompagnement en cours', byStatus.en_cours ?? 0], ['Soins réalisés', byStatus.soins_realises ?? 0],
        ['Non pertinentes', byStatus.non_pertinent ?? 0], ['Abandons', byStatus.abandon ?? 0]]),
      chart('ind-ame', "Primo-demandes d'AME : volume et issues", [
        ['Transmises', ame.transmitted ?? 0], ['Accords', outcomes.accord ?? 0], ['Refus', outcomes.refus ?? 0],
        ['Pièces demandées', outcomes.pieces_demandees ?? 0], ['Classées sans suite', outcomes.sans_suite ?? 0], ["En cours d'instruction", outcomes.pending ?? 0]]),
      chart('ind-delais', 'Délais (en jours)', [
        ...delayRows('Transmission des primo-demandes AME', ame.transmission_delay_days),
        ...delayRows('Ouverture des droits AME', ame.rights_opening_delay_days),
        ...delayRows('Ouverture des droits PUMa', rod.puma),
        ...delayRows('Ouverture des droits CSS', rod.css)], 'jours'),
      chart('ind-echeances', 'Échéances respectées et dépassées', clocks.flatMap(([k, name]) => [
        [`${name} — respectées`, (dl[k] || {}).met ?? 0], [`${name} — dépassées`, (dl[k] || {}).breached ?? 0]])),
      (ind.organisations || []).length > 1 ? chart('ind-orgs', 'Dossiers transmis par organisation',
        ind.organisations.map((o) => [o.name, ((o.indicators || {}).dossiers_transmitted || {}).total ?? 0])) : null,
      ind.organisations && !ind.organisations.length ? notice('Aucune donnée pour cette période.', 'info') : null);
  },
});
