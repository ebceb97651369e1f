// pages/index.js — every page module; each declares its routes on import.
import './signin.js';
import './dossiers.js';
import './partner.js';
