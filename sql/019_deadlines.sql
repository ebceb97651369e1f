-- 019_deadlines.sql — the table of deadlines takes the spec's name (SPEC §6):
-- a *deadline* is {clock, due_at, suspended_days, state}, its *clock* the kind
-- (instruction, transmission, prise_en_charge, rappel). It was "echeances"
-- (001), a third name for the same thing beside the JSON's and the columns'.
-- Indexes, constraints and the id sequence follow, so that no name says
-- "echeance" any more.
ALTER TABLE echeances RENAME TO deadlines;
ALTER SEQUENCE echeances_id_seq RENAME TO deadlines_id_seq;
ALTER TABLE deadlines RENAME CONSTRAINT echeances_pkey TO deadlines_pkey;
ALTER TABLE deadlines RENAME CONSTRAINT echeances_object_type_object_id_clock_key
    TO deadlines_object_type_object_id_clock_key;
ALTER INDEX echeances_to_fire RENAME TO deadlines_to_fire;
ALTER INDEX echeances_stopped_at RENAME TO deadlines_stopped_at;
ALTER INDEX echeances_running_due RENAME TO deadlines_running_due;
