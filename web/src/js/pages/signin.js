// signin.js — the sign-in page (SPEC §12): the link /app/#token=<JWT>, a field
// to paste such a token, and every method registered by session.js (OpenID
// Connect, SPEC §13). Shown with a message after an expiry or a sign-out.

import { h, replace } from '../dom.js';
import { route, navigate } from '../router.js';
import { setToken, claims, expired, signInMethods, signOut } from '../session.js';
import { homeFor } from '../nav.js';

const REASONS = {
  expiree: 'Votre session a expiré. Reconnectez-vous pour continuer.',
  deconnexion: 'Vous êtes déconnecté.',
  refusee: "Ce jeton n'est pas valable. Demandez un nouveau lien de connexion.",
};

route({
  path: '/app/connexion',
  roles: null,
  title: 'Connexion',
  render(main, params, query) {
    const reason = query.get('raison');
    const err = h('p', { id: 'jeton-erreur', class: 'field-error', hidden: true });
    const field = h('textarea', { id: 'jeton', name: 'jeton', rows: '3', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'jeton-aide' });
    const form = h('form', {
      novalidate: true,
      onsubmit: (ev) => {
        ev.preventDefault();
        const t = field.value.trim().replace(/^.*#token=/, '');
        setToken(t);
        const c = claims();
        if (!c || expired(c)) {
          signOut('refusee');
          err.hidden = false;
          err.textContent = c ? 'Ce jeton a expiré.' : "Ce texte n'est pas un jeton d'accès.";
          field.setAttribute('aria-invalid', 'true');
          field.setAttribute('aria-describedby', 'jeton-aide jeton-erreur');
          field.focus();
          return;
        }
        navigate(homeFor(c.role));
      },
    },
    h('div', { class: 'field' },
      h('label', { for: 'jeton' }, "Jeton d'accès ou lien de connexion"),
      h('p', { id: 'jeton-aide', class: 'hint' }, 'Collez le lien reçu (…/app/#token=…) ou le jeton seul.'),
      field, err),
    h('button', { type: 'submit' }, 'Utiliser ce jeton'));
    const methods = signInMethods();
    replace(main,
      h('h1', {}, 'Connexion'),
      REASONS[reason] ? h('div', { class: ['notice', reason === 'expiree' || reason === 'refusee' ? 'notice-warning' : 'notice-info'], role: 'status' }, h('p', {}, REASONS[reason])) : null,
      methods.length ? h('section', { 'aria-labelledby': 'par-fournisseur' },
        h('h2', { id: 'par-fournisseur' }, "Avec votre fournisseur d'identité"),
        methods.map((m) => h('button', { type: 'button', id: `signin-${m.id}`, onclick: () => m.start() }, m.label))) : null,
      h('section', { 'aria-labelledby': 'par-lien' },
        h('h2', { id: 'par-lien' }, 'Avec un lien de connexion'),
        h('p', {}, 'Ouvrez le lien de connexion que vous avez reçu : il vous connecte directement. Vous pouvez aussi le coller ici.'),
        form));
  },
});
