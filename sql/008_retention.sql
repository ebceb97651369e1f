-- 008_retention.sql — personal data (SPEC §10) and the COPIL indicators (§9):
-- the retention purge of closed dossiers and requests, the journal of the
-- writes persisted by the workers, and the indexes that the audit journal
-- reads and the indicators need. The purge itself is sql/functions/retention.sql.
-- See docs/donnees-personnelles.md and docs/indicateurs.md.

-- ---- audit journal ---------------------------------------------------------

-- A row journaled by a worker names the stream entry it journals, so that an
-- entry delivered twice (a consumer killed after its commit, before its XACK)
-- is journaled once. Rows written by the API leave it NULL (NULLs are distinct).
ALTER TABLE audit_journal ADD COLUMN entry_id uuid UNIQUE;

-- GET /v1/audit filters, newest first.
CREATE INDEX audit_journal_sub ON audit_journal (sub, id DESC);
CREATE INDEX audit_journal_object ON audit_journal (object_type, object_id, id DESC);

-- ---- indicators ------------------------------------------------------------

CREATE INDEX dossiers_received_on ON dossiers (received_on) WHERE received_on IS NOT NULL;
CREATE INDEX echeances_stopped_at ON echeances (stopped_at) WHERE stopped_at IS NOT NULL;
CREATE INDEX echeances_running_due ON echeances (due_at) WHERE stopped_at IS NULL;
CREATE INDEX dossier_events_pieces ON dossier_events (dossier_id)
    WHERE to_status = 'pieces_demandees';

-- ---- retention purge -------------------------------------------------------

-- What is left to purge: closed, not yet purged, oldest change first.
CREATE INDEX dossiers_to_purge ON dossiers (updated_at)
    WHERE purged_at IS NULL AND status IN ('accorde', 'refuse', 'sans_suite');
CREATE INDEX requests_to_purge ON requests (updated_at)
    WHERE purged_at IS NULL AND status IN ('soins_realises', 'non_pertinent', 'abandon',
                                           'honore', 'non_honore', 'annule',
                                           'envoye', 'refuse');
