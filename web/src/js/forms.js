// forms.js — the forms of the application (SPEC §12): every field labelled,
// its hint and its error linked by aria-describedby, errors of a 422 (or of a
// check made in the page) shown next to their fields with aria-invalid and
// summed up above the form, focus moved to the first field in error, nothing
// typed lost. Forms are novalidate: the browser's own bubbles never show.
//
// Submissions are idempotent: each form instance holds an Idempotency-Key
// (SPEC §2) kept across retries — a double click, or sending again after a
// network error, gets the first answer and never creates two requests — and
// renewed once an answer says what happened.

import { h, replace } from './dom.js';

let seq = 0;

/** The element id of the control of a field named name ("applicant.last_name"). */
export function fieldId(name) {
  return `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

function describe(control, ids) {
  const list = ids.filter(Boolean).join(' ');
  if (list) control.setAttribute('aria-describedby', list);
  else control.removeAttribute('aria-describedby');
}

/** The wrapper every field shares: data-field names it, data-paths lists the
 *  other error paths it answers for (prefixes: "consent" covers
 *  "consent.informed"). */
function wrapper(name, paths, ...children) {
  return h('div', { class: 'field', 'data-field': name, 'data-paths': (paths || []).join(' ') }, ...children);
}

function hintEl(id, hint) {
  return hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
}

function errorSlot(id) {
  return h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
}

/** A text-like input (type text, date, email, tel…) or a textarea (type "textarea"). */
export function textField({ name, label, type = 'text', hint, value, autocomplete, inputmode, maxlength, paths, required, spellcheck }) {
  const id = fieldId(name);
  const props = { id, name, autocomplete, inputmode, maxlength, spellcheck };
  const control = type === 'textarea'
    ? h('textarea', { ...props, rows: 4 })
    : h('input', { ...props, type });
  if (value !== undefined && value !== null) control.value = value;
  describe(control, [hint && `${id}-hint`]);
  return wrapper(name, paths, h('label', { for: id }, label, required ? h('span', { class: 'required' }, ' (obligatoire)') : null),
    hintEl(id, hint), errorSlot(id), control);
}

/** A select; options are [value, label] pairs or {group, options} objects. */
export function selectField({ name, label, options, hint, value, paths, required, placeholder = 'Choisir…' }) {
  const id = fieldId(name);
  const opt = ([v, l]) => h('option', { value: v, selected: v === value }, l);
  const control = h('select', { id, name },
    placeholder !== null ? h('option', { value: '' }, placeholder) : null,
    options.map((o) => (Array.isArray(o) ? opt(o) : h('optgroup', { label: o.group }, o.options.map(opt)))));
  if (value !== undefined && value !== null) control.value = value;
  describe(control, [hint && `${id}-hint`]);
  return wrapper(name, paths, h('label', { for: id }, label, required ? h('span', { class: 'required' }, ' (obligatoire)') : null),
    hintEl(id, hint), errorSlot(id), control);
}

/** A group of radio buttons in a fieldset; options are [value, label] pairs. */
export function radioGroup({ name, legend, options, hint, value, onchange, paths, required }) {
  const id = fieldId(name);
  const fs = h('fieldset', { class: 'choices', id: `${id}-group` },
    h('legend', {}, legend, required ? h('span', { class: 'required' }, ' (obligatoire)') : null),
    hintEl(id, hint), errorSlot(id),
    options.map(([v, l], i) => {
      const input = h('input', { type: 'radio', name, value: v, id: i === 0 ? id : `${id}-${i}`, checked: v === value, onchange });
      describe(input, [hint && `${id}-hint`]);
      return h('label', { class: 'check' }, input, l);
    }));
  return wrapper(name, paths, fs);
}

/** One checkbox; its value is true when checked. */
export function checkboxField({ name, label, hint, checked, onchange, paths }) {
  const id = fieldId(name);
  const input = h('input', { type: 'checkbox', id, name, checked, onchange });
  describe(input, [hint && `${id}-hint`]);
  return wrapper(name, paths, errorSlot(id), h('label', { class: 'check', for: id }, input, label), hintEl(id, hint));
}

/** Checkboxes of one list (reasons…); its value is the array of checked values. */
export function checkboxGroup({ name, legend, options, hint, values = [], paths, required }) {
  const id = fieldId(name);
  const fs = h('fieldset', { class: 'choices', id: `${id}-group` },
    h('legend', {}, legend, required ? h('span', { class: 'required' }, ' (obligatoire)') : null),
    hintEl(id, hint), errorSlot(id),
    options.map(([v, l], i) => {
      const input = h('input', { type: 'checkbox', name, value: v, id: i === 0 ? id : `${id}-${i}`, checked: values.includes(v) });
      describe(input, [hint && `${id}-hint`]);
      return h('label', { class: 'check' }, input, l);
    }));
  return wrapper(name, paths, fs);
}

/** Read a form: text and select values trimmed ('' → null), radios the checked
 *  value (null when none), single checkboxes a boolean, checkbox groups arrays. */
export function values(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled || el.closest('[hidden]')) continue;
    if (el.type === 'radio') {
      if (!(el.name in out)) out[el.name] = null;
      if (el.checked) out[el.name] = el.value;
    } else if (el.type === 'checkbox') {
      const group = form.querySelectorAll(`input[type=checkbox][name="${CSS.escape(el.name)}"]`).length > 1;
      if (group) {
        out[el.name] = out[el.name] || [];
        if (el.checked) out[el.name].push(el.value);
      } else out[el.name] = el.checked;
    } else if (el.type !== 'file' && el.tagName !== 'BUTTON') {
      const v = el.value.trim();
      out[el.name] = v === '' ? null : v;
    }
  }
  return out;
}

/** The field wrapper that answers for an error path, or null. */
function wrapperFor(form, path) {
  let best = null;
  let bestLen = -1;
  for (const w of form.querySelectorAll('.field[data-field]')) {
    if (w.closest('[hidden]')) continue;
    const names = [w.dataset.field, ...(w.dataset.paths ? w.dataset.paths.split(' ') : [])];
    for (const n of names) {
      if (path === n) return w;
      if ((path.startsWith(`${n}.`) || path.startsWith(`${n}[`)) && n.length > bestLen) {
        best = w;
        bestLen = n.length;
      }
    }
  }
  return best;
}

function controlsOf(w) {
  return [...w.querySelectorAll('input, select, textarea')];
}

function ownText(el) {
  return [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim() || el.textContent.trim();
}

function focusableOf(w) {
  return controlsOf(w)[0] || w.querySelector('[tabindex]') || w;
}

/** Remove every error shown on form. */
export function clearErrors(form) {
  for (const w of form.querySelectorAll('.field')) {
    const slot = w.querySelector('.field-error');
    if (slot) { slot.hidden = true; slot.textContent = ''; }
    for (const c of controlsOf(w)) {
      c.removeAttribute('aria-invalid');
      const ids = (c.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && !x.endsWith('-error'));
      describe(c, ids);
    }
  }
  const summary = form.querySelector('.error-summary');
  if (summary) summary.remove();
}

function sentence(s) {
  const t = String(s || 'Valeur invalide').trim();
  return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}

/** Show errors [{field, message}] next to their fields (aria-invalid, message
 *  linked by aria-describedby), sum them up above the form, and move the focus
 *  to the first field in error (to the summary when none has a field). */
export function showErrors(form, errors, title = 'La demande n’a pas été envoyée : corrigez les champs signalés.') {
  clearErrors(form);
  const placed = new Map();
  const loose = [];
  for (const e of errors) {
    const w = e.field ? wrapperFor(form, e.field) : null;
    if (!w) { loose.push(e); continue; }
    if (!placed.has(w)) placed.set(w, []);
    placed.get(w).push(sentence(e.message));
  }
  const items = [];
  for (const [w, msgs] of placed) {
    const slot = w.querySelector('.field-error');
    const text = [...new Set(msgs)].join(' ');
    slot.replaceChildren(h('span', { class: 'sr-only' }, 'Erreur : '), text);
    slot.hidden = false;
    for (const c of controlsOf(w)) {
      c.setAttribute('aria-invalid', 'true');
      const ids = (c.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
      describe(c, [...ids, slot.id]);
    }
    const first = focusableOf(w);
    const label = w.querySelector('label, legend');
    items.push(h('li', {}, h('a', {
      href: `#${first.id}`,
      onclick: (ev) => { ev.preventDefault(); first.focus(); },
    }, `${label ? ownText(label) : 'Champ'} : ${text}`)));
  }
  for (const e of loose) items.push(h('li', {}, sentence(e.message)));
  // in document order, as a person reads the form
  const ordered = [...placed.keys()].sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
  const summary = h('div', { class: 'error-summary notice notice-error', tabindex: '-1', id: `${form.id || 'form'}-erreurs` },
    h('h2', {}, 'Il y a un problème'), h('p', {}, title), items.length ? h('ul', {}, items) : null);
  form.prepend(summary);
  const target = ordered.length ? focusableOf(ordered[0]) : summary;
  target.focus();
  return ordered.length;
}

/** A new Idempotency-Key. */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** Wire a form's submission: send(key) posts the body with that
 *  Idempotency-Key and returns what to show, or throws an ApiError. While a
 *  submission runs, another one is ignored (a double click sends once). The key
 *  is kept after a network error or a 5xx, when the outcome is unknown (the
 *  retry gets the first answer), and renewed after any answer that says what
 *  happened (a success, a 4xx). onDone(result) shows the result. */
export function onSubmit(form, { send, onDone, check }) {
  let key = newKey();
  let busy = false;
  const status = h('div', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  form.append(status);
  form.setAttribute('novalidate', '');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    clearErrors(form);
    replace(status);
    const local = check ? check() : [];
    if (local.length) { showErrors(form, local); return; }
    busy = true;
    const buttons = [...form.querySelectorAll('button[type=submit]')];
    buttons.forEach((b) => b.setAttribute('aria-disabled', 'true'));
    replace(status, h('p', {}, 'Envoi en cours…'));
    try {
      const result = await send(key);
      key = newKey();
      replace(status);
      onDone(result);
    } catch (e) {
      replace(status);
      // an answer (4xx) says nothing was created: the corrected body gets a new
      // key; no answer, or a failure of the server, keeps it for the retry
      if (e && e.status >= 400 && e.status < 500) key = newKey();
      const problem = (e && e.problem) || {};
      const errs = problem.errors || [];
      if (e && e.status === 422 && errs.some((x) => x.code === 'idempotency_key_reused')) {
        key = newKey();
        showErrors(form, [], "Une demande a déjà été enregistrée depuis ce formulaire, avec d’autres valeurs (la réponse s’était perdue). Vérifiez « Mes demandes » avant d’envoyer de nouveau.");
      } else if (e && e.status === 422 && errs.length) {
        showErrors(form, errs);
      } else if (e && e.status === 0) {
        showErrors(form, [], "Le serveur n’a pas répondu. Vos saisies sont conservées : envoyez de nouveau, la demande ne sera pas enregistrée deux fois.");
      } else if (e && e.status !== 401) {
        showErrors(form, [], (e && e.message) || 'La demande a été refusée.');
      }
    } finally {
      busy = false;
      buttons.forEach((b) => b.removeAttribute('aria-disabled'));
    }
  });
  return { newKey: () => { key = newKey(); } };
}

/** A unique suffix for ids of repeated blocks. */
export function uid() {
  seq += 1;
  return seq;
}

/** The SHA-256 of a file, in hexadecimal, computed in the page: the file itself
 *  is never sent (the API records the description and the fingerprint). */
export async function sha256Hex(file) {
  const buf = await file.arrayBuffer();
  const d = await crypto.subtle.digest('SHA-256', buf);
  return [...new Uint8Array(d)].map((x) => x.toString(16).padStart(2, '0')).join('');
}
