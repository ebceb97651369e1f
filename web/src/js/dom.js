// dom.js — building the page from data, as text only (SPEC §12: data is never
// inserted as HTML). Every element of the application is made by h(); strings
// become text nodes, so a value such as "<img src=x onerror=alert(1)>" is shown
// as those characters and never parsed. No module of the application uses
// innerHTML, outerHTML, insertAdjacentHTML or document.write (a test checks).

/** h(tag, props, ...children): a new element. props: attributes (false/null
 *  skipped, true → empty attribute), "class", "on<event>" listeners, "style"
 *  as an object of CSS properties (set through the CSSOM, which the CSP allows). */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'style' && typeof v === 'object') {
      for (const [p, val] of Object.entries(v)) el.style.setProperty(p, String(val));
    } else if (k === 'value' && (tag === 'input' || tag === 'textarea' || tag === 'select')) {
      el.value = v;
    } else if (k === 'checked' || k === 'selected' || k === 'disabled') {
      el[k] = Boolean(v);
      if (v) el.setAttribute(k, '');
    } else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/** Append children (nested arrays, strings, numbers, nodes; null skipped). */
export function append(el, children) {
  for (const c of [children].flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replace every child of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Format an RFC 3339 instant for people, in Europe/Paris. */
export function formatInstant(s) {
  if (!s) return '—';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  return d.toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' });
}

/** Format a calendar date YYYY-MM-DD as DD/MM/YYYY. */
export function formatDate(s) {
  if (!s) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : s;
}

/** A status shown in words with a shape, never by colour alone. */
export function badge(text, kind) {
  return h('span', { class: ['badge', kind && `badge-${kind}`] }, text);
}

/** A live region message (role=status, or role=alert for errors). */
export function notice(text, kind = 'info', ...extra) {
  return h('div', { class: ['notice', `notice-${kind}`], role: kind === 'error' ? 'alert' : 'status' },
    h('p', {}, text), ...extra);
}
