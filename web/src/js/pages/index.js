// pages/index.js — every page module; each declares its routes on import.
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
