-- demo.sql — demonstration organisations loaded by make run (idempotent).
-- Caisse 171 is the CPAM de la Charente-Maritime (seed 002), 751 the CPAM de Paris.
INSERT INTO organisations (id, name, kind, siret, finess, caisse, ame_habilitation, convention,
                           referent, created_at, updated_at)
VALUES
  ('0b6f3c1e-3d0a-4c1e-9a51-1d2f6c7a8b01', 'PASS de ville de La Rochelle', 'pass_ville',
   '73282932000074', NULL, '171', false,
   '{"signed_on":"2025-01-15","duration_months":12,"tacit_renewal":true,"terminated_on":null}',
   '{"name":"Référente PASS","email":"pass@example.org","phone":"0546000000"}', now(), now()),
  ('0b6f3c1e-3d0a-4c1e-9a51-1d2f6c7a8b02', 'CCAS de Rochefort', 'ccas',
   '73282932000074', NULL, '171', false,
   '{"signed_on":"2024-06-01","duration_months":12,"tacit_renewal":true,"terminated_on":null}',
   NULL, now(), now()),
  ('0b6f3c1e-3d0a-4c1e-9a51-1d2f6c7a8b03', 'France Services de Saintes', 'france_services',
   '73282932000074', NULL, '171', false,
   '{"signed_on":"2025-03-01","duration_months":24,"tacit_renewal":false,"terminated_on":null}',
   NULL, now(), now()),
  ('0b6f3c1e-3d0a-4c1e-9a51-1d2f6c7a8b04', 'Association Solidarité Paris', 'association',
   '73282932000074', NULL, '751', false,
   '{"signed_on":"2023-01-01","duration_months":12,"tacit_renewal":true,"terminated_on":"2024-12-31"}',
   NULL, now(), now())
ON CONFLICT (id) DO NOTHING;
