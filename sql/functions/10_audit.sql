-- 10_audit.sql — the audit journal (SPEC §10): its one insert.

-- The audit journal rows of a batch, in order (store/audit_journal.c builds
-- them, for the API's journal writer and the workers alike); an entry
-- journaled already (redelivered) is not journaled twice.
CREATE OR REPLACE FUNCTION epart_insert_journal(rows jsonb) RETURNS void
    LANGUAGE sql AS $$
    INSERT INTO audit_journal (at, sub, role, org_id, caisse, action, object_type, object_id,
                               remote_addr, entry_id)
    SELECT r.at, r.sub, r.role, r.org_id, r.caisse, r.action, r.object_type, r.object_id,
           r.remote_addr, r.entry_id
    FROM jsonb_to_recordset(rows)
         AS r(at timestamptz, sub text, role text, org_id uuid, caisse text, action text,
              object_type text, object_id text, remote_addr text, entry_id uuid)
    ON CONFLICT (entry_id) DO NOTHING $$;
