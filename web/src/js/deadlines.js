// deadlines.js — how a clock of SPEC §6 is shown: "Délai dépassé" for a
// breached clock, "J-<days left>" inside its first warning lead, the due date
// otherwise. The API says whether a clock is in its warning lead (in_warning)
// and how many days are left (days_left), at the product's own now.

import { h, formatInstant } from './dom.js';
import { CLOCKS, CLOCK_STATES, label } from './labels.js';

/** The clock that matters most for a row: a breached one, else the running one
 *  due first, else null. */
export function nextDeadline(deadlines) {
  const ds = deadlines || [];
  const breached = ds.find((d) => d.state === 'breached');
  if (breached) return breached;
  const running = ds.filter((d) => d.state === 'running' || d.state === 'suspended')
    .sort((a, b) => String(a.due_at).localeCompare(String(b.due_at)));
  return running[0] || null;
}

export function echeanceCell(deadlines) {
  const d = nextDeadline(deadlines);
  if (!d) return h('span', { class: 'muted' }, '—');
  const clock = label(CLOCKS, d.clock);
  if (d.state === 'breached') {
    return h('span', { class: 'deadline deadline-breached' },
      h('span', { class: 'badge badge-danger' }, 'Délai dépassé'), ' ', h('span', { class: 'small' }, `${clock}, ${formatInstant(d.due_at)}`));
  }
  if (d.state === 'suspended') {
    return h('span', { class: 'deadline' }, h('span', { class: 'badge' }, 'Suspendu'), ' ', h('span', { class: 'small' }, clock));
  }
  if (d.in_warning && typeof d.days_left === 'number') {
    return h('span', { class: 'deadline deadline-warning' },
      h('span', { class: 'badge badge-warning' }, `J-${d.days_left}`), ' ', h('span', { class: 'small' }, `${clock}, ${formatInstant(d.due_at)}`));
  }
  return h('span', { class: 'deadline' }, `${clock} : ${formatInstant(d.due_at)}`);
}

const COLUMNS = ['Échéance', 'Due le', 'État', 'Jours de suspension'];

/** Every clock of an object as a table: clock, due time, state in words. A
 *  list table (app.css): on a phone each row is a block whose cells name their
 *  column. */
export function deadlinesTable(deadlines) {
  const ds = deadlines || [];
  if (!ds.length) return h('p', {}, 'Aucune échéance.');
  const [clock, due, state, suspended] = COLUMNS;
  return h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
    h('caption', {}, 'Délais, leur date due et leur état'),
    h('thead', {}, h('tr', {}, COLUMNS.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ds.map((d) => h('tr', {},
      h('th', { scope: 'row', 'data-label': clock }, label(CLOCKS, d.clock)),
      h('td', { 'data-label': due }, formatInstant(d.due_at)),
      h('td', { 'data-label': state }, stateWords(d)),
      h('td', { 'data-label': suspended }, String(d.suspended_days || 0)))))));
}

function stateWords(d) {
  if (d.state === 'breached') return h('span', { class: 'badge badge-danger' }, 'Délai dépassé');
  if (d.state === 'running' && d.in_warning) return h('span', { class: 'badge badge-warning' }, `J-${d.days_left} (en cours)`);
  if (d.state === 'met') return h('span', { class: 'badge badge-ok' }, 'Respecté');
  return h('span', { class: 'badge' }, label(CLOCK_STATES, d.state));
}
