// orgs.js — the names of the organisations in the caller's scope, read once
// per session page load (GET /v1/organisations is scoped by the API).

import { get, qs } from './api.js';

let cache = null;

/** Every organisation of the scope, in pages of 500. */
export async function organisations() {
  if (cache) return cache;
  const all = [];
  let cursor = null;
  do {
    const r = await get('/v1/organisations' + qs({ limit: 500, cursor }));
    all.push(...r.json.items);
    cursor = r.json.next_cursor;
  } while (cursor);
  cache = all;
  return all;
}

/** Map id → name. */
export async function orgNames() {
  return new Map((await organisations()).map((o) => [o.id, o.name]));
}

export function forgetOrganisations() {
  cache = null;
}
