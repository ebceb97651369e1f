// pages/index.js — every page module; each declares its routes on import.
import '../oidc.js'; // the provider's sign-in and /app/callback (SPEC §13)
import './signin.js';
import './dossiers.js';
import './dossier.js';
import './partner.js';
import './partner_forms.js';
import './partner_alerts.js';
import './requests.js';
import './alertes.js';
import './partenaires.js';
import './indicateurs.js';
