// partner_pieces.js — describing the pieces of a dossier (SPEC §4: kind,
// filename, sha256, size). The agent picks each file; the page reads its name
// and size and computes its SHA-256 itself. The file never leaves the computer:
// the API records what was sent to the caisse, not the documents.

import { h, replace } from '../dom.js';
import { PIECES } from '../labels.js';
import { fieldId, sha256Hex } from '../forms.js';

/** {el, value(): Promise<[{kind, filename, sha256, size}]>, problems(): [{field, message}]} */
export function piecesEditor({ name = 'pieces', legend = 'Pièces', initialKinds = [], hint } = {}) {
  const rows = h('ol', { class: 'piece-rows' });
  const el = h('fieldset', { class: 'pieces', 'data-field': name },
    h('legend', {}, legend),
    h('p', { class: 'hint', id: `${fieldId(name)}-hint` }, hint || 'Pour chaque pièce, choisissez son type et le fichier. Le fichier reste sur votre poste : seuls son nom, sa taille et son empreinte (SHA-256) sont transmis.'),
    h('div', { class: 'field', 'data-field': name }, h('p', { class: 'field-error', id: `${fieldId(name)}-error`, hidden: true }), h('span', { id: fieldId(name), tabindex: '-1' })),
    rows,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button-secondary', onclick: () => { addRow(); renumber(); rows.lastElementChild.querySelector('select').focus(); } }, 'Ajouter une pièce')));

  function addRow(kind = '') {
    const li = h('li', { class: 'piece-row' });
    rows.append(li);
    replace(li,
      h('div', { class: 'field', 'data-role': 'kind' },
        h('label', {}, ''), h('p', { class: 'field-error', hidden: true }),
        h('select', { 'data-piece': 'kind' }, h('option', { value: '' }, 'Choisir…'), Object.entries(PIECES).map(([v, l]) => h('option', { value: v, selected: v === kind }, l)))),
      h('div', { class: 'field', 'data-role': 'file' },
        h('label', {}, ''), h('p', { class: 'field-error', hidden: true }),
        h('input', { type: 'file', 'data-piece': 'file' })),
      h('button', { type: 'button', class: 'button-secondary', 'data-role': 'remove', onclick: () => { const next = li.nextElementSibling || li.previousElementSibling; li.remove(); renumber(); if (next) next.querySelector('select').focus(); } }, ''));
  }

  // Names follow the rows' order, so that an error of the API on pieces[i]
  // lands next to the i-th row.
  function renumber() {
    [...rows.children].forEach((li, i) => {
      const n = i + 1;
      const kindBox = li.querySelector('[data-role=kind]');
      const fileBox = li.querySelector('[data-role=file]');
      const sel = kindBox.querySelector('select');
      const file = fileBox.querySelector('input');
      sel.id = fieldId(`${name}[${i}].kind`);
      file.id = fieldId(`${name}[${i}].filename`);
      kindBox.dataset.field = `${name}[${i}].kind`;
      fileBox.dataset.field = `${name}[${i}].filename`;
      fileBox.dataset.paths = `${name}[${i}].sha256 ${name}[${i}].size ${name}[${i}]`;
      kindBox.querySelector('label').htmlFor = sel.id;
      kindBox.querySelector('label').textContent = `Pièce ${n} : type`;
      fileBox.querySelector('label').htmlFor = file.id;
      fileBox.querySelector('label').textContent = `Pièce ${n} : fichier`;
      kindBox.querySelector('.field-error').id = `${sel.id}-error`;
      fileBox.querySelector('.field-error').id = `${file.id}-error`;
      li.querySelector('[data-role=remove]').textContent = `Retirer la pièce ${n}`;
    });
  }

  for (const k of initialKinds) addRow(k);
  if (!initialKinds.length) addRow();
  renumber();

  function dropEmpty() {
    for (const li of [...rows.children]) {
      if (!li.querySelector('select').value && !li.querySelector('input').files.length) li.remove();
    }
    renumber();
  }

  return {
    el,
    problems() {
      dropEmpty();
      const out = [];
      [...rows.children].forEach((li, i) => {
        if (!li.querySelector('select').value) out.push({ field: `${name}[${i}].kind`, message: 'Choisissez le type de cette pièce.' });
        if (!li.querySelector('input').files.length) out.push({ field: `${name}[${i}].filename`, message: 'Choisissez le fichier de cette pièce.' });
      });
      return out;
    },
    async value() {
      const out = [];
      for (const li of rows.children) {
        const f = li.querySelector('input').files[0];
        out.push({ kind: li.querySelector('select').value, filename: f.name, sha256: await sha256Hex(f), size: f.size });
      }
      return out;
    },
    count: () => rows.children.length,
  };
}
