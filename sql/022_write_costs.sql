-- 022_write_costs.sql — two costs every write paid for nothing.
--
-- 1. The large documents of a dossier and of a request are compressed with
-- lz4 rather than PostgreSQL's default pglz. Why: a dossier's row (applicant,
-- situation, twelve pieces, pre-instruction: about 2.5 KB) is over the TOAST
-- threshold, so every insert compressed it;
-- pglz_compress was 8 % of PostgreSQL's time draining dossier.create entries
-- (perf, docs/BENCHMARKS.md, drain), lz4 does the same work several times
-- faster and decompresses faster for every read. Values already stored keep
-- their method (both are read alike); only new values use lz4. Metadata only:
-- no table is rewritten.
ALTER TABLE dossiers
    ALTER COLUMN applicant SET COMPRESSION lz4,
    ALTER COLUMN situation SET COMPRESSION lz4,
    ALTER COLUMN pieces SET COMPRESSION lz4,
    ALTER COLUMN pre_instruction SET COMPRESSION lz4,
    ALTER COLUMN decision SET COMPRESSION lz4,
    ALTER COLUMN rights SET COMPRESSION lz4,
    ALTER COLUMN simulation SET COMPRESSION lz4;
ALTER TABLE requests ALTER COLUMN body SET COMPRESSION lz4;

-- 2. audit_journal_page (id DESC) was a second copy of the primary key's index:
-- a btree is read backwards as fast as forwards, so the journal's pages
-- (ORDER BY id DESC, store/audit_journal.h) use the primary key, and each
-- journal row (one per write) maintained one index for nothing.
DROP INDEX IF EXISTS audit_journal_page;
