// download.js — fetch a CSV export of the API with the session's token and
// hand it to the browser as a file (a plain link could not carry the token).

import { api } from './api.js';
import { replace, notice } from './dom.js';

export async function downloadCsv(path, filename, statusEl) {
  try {
    const r = await api('GET', path, { accept: 'text/csv' });
    const blob = new Blob([r.text], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    if (statusEl) replace(statusEl, notice(`Export « ${filename} » téléchargé.`, 'success'));
  } catch (e) {
    if (statusEl) replace(statusEl, notice(`L'export a échoué : ${e.message}`, 'error'));
  }
}
