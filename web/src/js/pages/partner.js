// partner.js — home of the partner role until the partner space (issue 12)
// replaces it: says plainly what exists today.

import { h, replace } from '../dom.js';
import { route } from '../router.js';

route({
  path: '/app/espace-partenaire',
  roles: ['partner'],
  title: 'Espace partenaire',
  render(main) {
    replace(main, h('h1', {}, 'Espace partenaire'),
      h('p', {}, "Les formulaires de dépôt et le suivi des demandes dans le navigateur arrivent bientôt. En attendant, votre logiciel peut utiliser l'API décrite à l'adresse /v1/docs."));
  },
});
