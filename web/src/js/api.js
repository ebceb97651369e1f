// api.js — the page speaks only the public API (SPEC §12), with the session's
// bearer token. A 401 ends the session and brings back the sign-in page with a
// message; every other answer is returned to the caller, problem documents
// included, so that each page can say in French what happened.

import { token, signOut } from './session.js';

let onUnauthorized = () => {};

/** Called with no argument when the API answers 401 (the router shows sign-in). */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `Erreur ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

/** api(method, path, {body, headers, accept}) → {status, json, text, etag, headers}.
 *  Throws ApiError for a status >= 400 (after handling 401) and for a network
 *  failure (status 0). */
export async function api(method, path, opts = {}) {
  const headers = { Accept: opts.accept || 'application/json', ...(opts.headers || {}) };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  let body;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let r;
  try {
    r = await fetch(path, { method, headers, body, cache: 'no-store' });
  } catch {
    throw new ApiError(0, { title: 'Serveur injoignable', detail: 'Le serveur ne répond pas ; vérifiez la connexion puis réessayez.' });
  }
  const type = r.headers.get('Content-Type') || '';
  const text = await r.text();
  let json = null;
  if (type.includes('json') && text) {
    try { json = JSON.parse(text); } catch { json = null; }
  }
  if (r.status === 401) {
    signOut('expiree');
    onUnauthorized();
    throw new ApiError(401, json);
  }
  if (r.status >= 400) throw new ApiError(r.status, json);
  return { status: r.status, json, text, etag: r.headers.get('ETag'), headers: r.headers };
}

export const get = (path, opts) => api('GET', path, opts);
export const post = (path, body, opts = {}) => api('POST', path, { ...opts, body });

/** Build a query string from an object, leaving out empty values. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '' && v !== false) u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}
