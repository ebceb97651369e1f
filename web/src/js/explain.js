// explain.js — the API's codes said in French for people: checks of the
// rights engine, events of a history, authors, and the field errors of a 422
// placed next to their fields (aria-invalid + aria-describedby).

import { h, replace, notice } from './dom.js';
import { PIECES, label } from './labels.js';

/** A check of the simulation or the pre-instruction: the engine already writes
 *  each one as a French sentence (common/droits.c); the code is the fallback. */
export function checkSentence(c) {
  return c.detail || c.code;
}

const ROLES = { instructor: 'Instructeur', partner: 'Partenaire', admin: 'Administrateur', worker: 'epart', system: 'epart' };

export function authorLabel(a) {
  if (!a) return 'epart';
  if (typeof a === 'string') return a;
  const role = ROLES[a.role] || a.role || 'epart';
  if (a.role === 'instructor' && a.caisse) return `${role} (caisse ${a.caisse})`;
  return role;
}

const DETAIL_KEYS = [
  ['reason', 'Raison'], ['motif', 'Motif'], ['message', 'Message'], ['comment', 'Commentaire'],
];

/** One event of a history: "Reçu → En instruction", with its details in words. */
export function historyLine(e, statuses) {
  const from = e.from ? label(statuses, e.from) : null;
  const to = e.to ? label(statuses, e.to) : null;
  const parts = [];
  if (from && to && from !== to) parts.push(`${from} → ${to}`);
  else if (to && !from) parts.push(`Création : ${to}`);
  else if (to) parts.push(to);
  const d = e.detail && typeof e.detail === 'object' ? e.detail : null;
  if (d) {
    if (d.decision) parts.push(d.decision === 'accord' ? 'Décision : accord' : 'Décision : refus');
    if (Array.isArray(d.pieces) && d.pieces.length) {
      parts.push(`Pièces : ${d.pieces.map((p) => (typeof p === 'string' ? label(PIECES, p) : `${label(PIECES, p.kind)}${p.filename ? ` (${p.filename})` : ''}`)).join(', ')}`);
    }
    for (const [k, name] of DETAIL_KEYS) if (typeof d[k] === 'string' && d[k]) parts.push(`${name} : ${d[k]}`);
  } else if (typeof e.detail === 'string' && e.detail) {
    parts.push(e.detail);
  }
  return parts.join(' — ') || 'Événement';
}

/** Show the errors of a 422 problem next to the fields of form they name. */
export function fieldErrors(form, problem, statusEl) {
  for (const el of form.querySelectorAll('.field-error[data-api]')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) { el.removeAttribute('aria-invalid'); }
  const errors = (problem && problem.errors) || [];
  let first = null;
  const unplaced = [];
  errors.forEach((er, i) => {
    const name = String(er.field || '').split('.').pop().replace(/\[\d+\]$/, '');
    const el = name ? form.querySelector(`[name="${CSS.escape(name)}"]`) : null;
    if (!el) { unplaced.push(er.message || er.code); return; }
    const id = `erreur-api-${i}`;
    const p = h('p', { id, class: 'field-error', 'data-api': 'true' }, er.message || er.code);
    (el.closest('.field') || el.closest('fieldset') || el.parentElement).append(p);
    el.setAttribute('aria-invalid', 'true');
    el.setAttribute('aria-describedby', id);
    if (!first) first = el;
  });
  replace(statusEl, notice(problem.detail || problem.title || 'Requête invalide.', 'error',
    unplaced.length ? h('ul', {}, unplaced.map((m) => h('li', {}, m))) : null));
  if (first) first.focus();
}
