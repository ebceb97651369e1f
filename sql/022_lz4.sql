-- 022_lz4.sql — the large documents of a dossier and of a request compressed
-- with lz4 rather than PostgreSQL's default pglz.
--
-- Why: a dossier's row (applicant, situation, twelve pieces, pre-instruction:
-- about 2.5 KB) is over the TOAST threshold, so every insert compressed it;
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
