"""SQL of migration 0005: the access log partitioned by month, written and verified in SQL.

Frozen here for that migration; a later change to a function is a new migration with its
own copy (CREATE OR REPLACE). docs/adgang.md describes the whole.
"""

# Functions that do not depend on the log's row type (created before the conversion).
FUNKTIONER = r"""
-- The text Python's json.dumps(v, ensure_ascii=False, separators=(",", ":"),
-- sort_keys=True) gives for a JSON value of strings, objects, arrays, integers, booleans
-- and null (keys sorted by code point: byte order of UTF-8 under COLLATE "C"; PostgreSQL
-- and Python escape the same characters in strings).
CREATE OR REPLACE FUNCTION samtykke_json_kanonisk(v jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    ud text;
BEGIN
    CASE jsonb_typeof(v)
    WHEN 'object' THEN
        SELECT '{' || coalesce(string_agg(to_json(k)::text || ':' || samtykke_json_kanonisk(x),
                                          ',' ORDER BY k COLLATE "C"), '') || '}'
          INTO ud FROM jsonb_each(v) AS e(k, x);
    WHEN 'array' THEN
        SELECT '[' || coalesce(string_agg(samtykke_json_kanonisk(x), ',' ORDER BY i), '') || ']'
          INTO ud FROM jsonb_array_elements(v) WITH ORDINALITY AS a(x, i);
    ELSE
        ud := v::text;
    END CASE;
    RETURN ud;
END
$$;

-- The same, unrolled two levels for a list of flat objects (what the log's `objekter`
-- holds); deeper values take the general function.
CREATE OR REPLACE FUNCTION samtykke_json_kanonisk_liste(v jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN jsonb_typeof(v) <> 'array' THEN samtykke_json_kanonisk(v) ELSE (
        SELECT '[' || coalesce(string_agg(
            CASE jsonb_typeof(o)
            WHEN 'object' THEN (
                SELECT '{' || coalesce(string_agg(to_json(k)::text || ':' || CASE
                    WHEN jsonb_typeof(x) IN ('object', 'array') THEN samtykke_json_kanonisk(x)
                    ELSE x::text END, ',' ORDER BY k COLLATE "C"), '') || '}'
                  FROM jsonb_each(o) AS e(k, x))
            WHEN 'array' THEN samtykke_json_kanonisk(o)
            ELSE o::text END, ',' ORDER BY i), '') || ']'
          FROM jsonb_array_elements(v) WITH ORDINALITY AS a(o, i)
    ) END
$$;

-- datetime.isoformat() of the time in UTC: microseconds only when there are any (the one
-- "." in the text is the one before them).
CREATE OR REPLACE FUNCTION samtykke_iso(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT replace(to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '.000000', '')
        || '+00:00'
$$;

-- The month's partition (months in UTC), created when it is missing; true if created.
-- CREATE TABLE + ATTACH PARTITION takes only SHARE UPDATE EXCLUSIVE on the log, so
-- readers and writers of other months go on; two creators queue on that lock.
CREATE OR REPLACE FUNCTION samtykke_adgangslog_partition(maaned date) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    start timestamp := date_trunc('month', maaned::timestamp);
    navn text := 'samtykke_adgangslog_p' || to_char(start, 'YYYYMM');
    fra timestamptz := start AT TIME ZONE 'UTC';
    til timestamptz := (start + interval '1 month') AT TIME ZONE 'UTC';
BEGIN
    IF to_regclass(quote_ident(navn)) IS NOT NULL THEN
        RETURN false;
    END IF;
    LOCK TABLE samtykke_adgangslog IN SHARE UPDATE EXCLUSIVE MODE;
    IF to_regclass(quote_ident(navn)) IS NOT NULL THEN
        RETURN false;  -- another writer made it while this one waited
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE samtykke_adgangslog INCLUDING DEFAULTS'
                   ' INCLUDING CONSTRAINTS)', navn);
    -- the check lets ATTACH skip scanning the (empty) table
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (tidspunkt >= %L AND tidspunkt < %L)',
                   navn, navn || '_omfang', fra, til);
    EXECUTE format('ALTER TABLE samtykke_adgangslog ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   navn, fra, til);
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', navn, navn || '_omfang');
    RETURN true;
END
$$;
"""

FUNKTIONER_VAEK = """
DROP FUNCTION IF EXISTS samtykke_adgangslog_partition(date);
DROP FUNCTION IF EXISTS samtykke_iso(timestamptz);
DROP FUNCTION IF EXISTS samtykke_json_kanonisk_liste(jsonb);
DROP FUNCTION IF EXISTS samtykke_json_kanonisk(jsonb);
"""

# The existing table becomes a table partitioned by month, with its rows.
KONVERTER = r"""
ALTER TABLE samtykke_adgangslog RENAME TO samtykke_adgangslog_gammel;
ALTER INDEX samtykke_adgangslog_pkey RENAME TO samtykke_adgangslog_gammel_pkey;
DO $$ BEGIN
    EXECUTE format('ALTER SEQUENCE %s RENAME TO samtykke_adgangslog_gammel_id_seq',
                   pg_get_serial_sequence('samtykke_adgangslog_gammel', 'id'));
END $$;

CREATE SEQUENCE samtykke_adgangslog_id_seq;
SELECT setval('samtykke_adgangslog_id_seq', coalesce(max(id), 0) + 1, false)
  FROM samtykke_adgangslog_gammel;

CREATE TABLE samtykke_adgangslog (LIKE samtykke_adgangslog_gammel INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (tidspunkt);
ALTER TABLE samtykke_adgangslog
    ALTER COLUMN id SET DEFAULT nextval('samtykke_adgangslog_id_seq');
ALTER SEQUENCE samtykke_adgangslog_id_seq OWNED BY samtykke_adgangslog.id;

SELECT samtykke_adgangslog_partition(m::date)
  FROM generate_series(
      date_trunc('month', (SELECT coalesce(min(tidspunkt), now()) FROM samtykke_adgangslog_gammel)
                          AT TIME ZONE 'UTC'),
      date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months',
      interval '1 month') AS m;

INSERT INTO samtykke_adgangslog SELECT * FROM samtykke_adgangslog_gammel;
DROP TABLE samtykke_adgangslog_gammel;

ALTER TABLE samtykke_adgangslog ADD CONSTRAINT samtykke_adgangslog_pkey PRIMARY KEY (id, tidspunkt);
CREATE INDEX adgangslog_borger_nummer ON samtykke_adgangslog (borger_id, nummer);
CREATE INDEX samtykke_adgangslog_tidspunkt_affcb483 ON samtykke_adgangslog (tidspunkt);
CREATE INDEX samtykke_adgangslog_bruger_id_d5738e60 ON samtykke_adgangslog (bruger_id);
CREATE INDEX samtykke_adgangslog_enhed_id_2eb04e32 ON samtykke_adgangslog (enhed_id);
CREATE INDEX samtykke_adgangslog_handler_for_id_bc017c6f ON samtykke_adgangslog (handler_for_id);
ALTER TABLE samtykke_adgangslog
    ADD CONSTRAINT samtykke_adgangslog_borger_id_41dcfb2f_fk_organisat FOREIGN KEY (borger_id)
        REFERENCES organisation_borger (id) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT samtykke_adgangslog_bruger_id_d5738e60_fk_auth_user_id FOREIGN KEY (bruger_id)
        REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT samtykke_adgangslog_enhed_id_2eb04e32_fk_organisation_enhed_id
        FOREIGN KEY (enhed_id) REFERENCES organisation_enhed (id) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT samtykke_adgangslog_handler_for_id_bc017c6f_fk_organisat
        FOREIGN KEY (handler_for_id) REFERENCES organisation_relation (id)
        DEFERRABLE INITIALLY DEFERRED;
CREATE TRIGGER samtykke_adgangslog_append_only BEFORE UPDATE OR DELETE ON samtykke_adgangslog
    FOR EACH ROW EXECUTE FUNCTION datadeling_append_only();
""" + (
    # Functions over the log's row type (the type of the new table).
    r"""
-- Version 1 of the text an entry's hash covers (entries written before this migration):
-- samtykke.adgangslog._indhold_v1, Python's JSON of the fields, computed in SQL. Slow (the
-- lists are re-serialized with sorted keys), so only the verifier uses it, and only for an
-- entry whose version 2 hash does not match.
CREATE OR REPLACE FUNCTION samtykke_adgangslog_kanonisk_v1(l samtykke_adgangslog) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT '[' || to_json(l.borger_id::text)::text
        || ',' || l.nummer::text
        || ',' || to_json(samtykke_iso(l.tidspunkt))::text
        || ',' || coalesce(l.bruger_id::text, 'null')
        || ',' || to_json(l.navn)::text
        || ',' || coalesce(to_json(l.enhed_id::text)::text, 'null')
        || ',' || to_json(l.enhed_navn)::text
        || ',' || to_json(l.myndighed_navn)::text
        || ',' || to_json(l.rolle)::text
        || ',' || to_json(l.faglighed)::text
        || ',' || coalesce(to_json(l.handler_for_id::text)::text, 'null')
        || ',' || to_json(l.handling)::text
        || ',' || to_json(l.hvad)::text
        || ',' || samtykke_json_kanonisk_liste(l.objekter)
        || ',' || samtykke_json_kanonisk_liste(l.kategorier)
        || ',' || to_json(l.formaal)::text
        || ',' || to_json(l.grundlag)::text
        || ',' || coalesce(to_json(l.grundlag_id::text)::text, 'null')
        || ',' || to_json(l.forrige_hash)::text
        || ']'
$$;

CREATE OR REPLACE FUNCTION samtykke_adgangslog_hash_v1(l samtykke_adgangslog) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT encode(sha256(convert_to(samtykke_adgangslog_kanonisk_v1(l), 'UTF8')), 'hex')
$$;

-- Version 2 (every entry written since): the same fields, but the two lists as PostgreSQL
-- prints jsonb (samtykke.adgangslog._jsonb_tekst), so the hash is a plain expression the
-- planner inlines: a few microseconds an entry.
CREATE OR REPLACE FUNCTION samtykke_adgangslog_kanonisk(l samtykke_adgangslog) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT '["v2",' || to_json(l.borger_id::text)::text
        || ',' || l.nummer::text
        || ',' || to_json(samtykke_iso(l.tidspunkt))::text
        || ',' || coalesce(l.bruger_id::text, 'null')
        || ',' || to_json(l.navn)::text
        || ',' || coalesce(to_json(l.enhed_id::text)::text, 'null')
        || ',' || to_json(l.enhed_navn)::text
        || ',' || to_json(l.myndighed_navn)::text
        || ',' || to_json(l.rolle)::text
        || ',' || to_json(l.faglighed)::text
        || ',' || coalesce(to_json(l.handler_for_id::text)::text, 'null')
        || ',' || to_json(l.handling)::text
        || ',' || to_json(l.hvad)::text
        || ',' || l.objekter::text
        || ',' || l.kategorier::text
        || ',' || to_json(l.formaal)::text
        || ',' || to_json(l.grundlag)::text
        || ',' || coalesce(to_json(l.grundlag_id::text)::text, 'null')
        || ',' || to_json(l.forrige_hash)::text
        || ']'
$$;

CREATE OR REPLACE FUNCTION samtykke_adgangslog_hash(l samtykke_adgangslog) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT encode(sha256(convert_to(samtykke_adgangslog_kanonisk(l), 'UTF8')), 'hex')
$$;

-- Append the entries of `poster` (a JSON array of rows without id, nummer and hashes) to
-- their citizens' chains, in one statement: the citizens' chain locks in sorted order (the
-- keys of datadeling.core.laas), then the chain heads, then every entry chained on the one
-- before it (also within the batch), one INSERT, the heads moved on. Returns each entry's
-- place in `poster` with what the database gave it.
CREATE OR REPLACE FUNCTION samtykke_adgangslog_skriv(poster jsonb)
RETURNS TABLE (ud_plads integer, ud_id bigint, ud_nummer integer, ud_tidspunkt timestamptz,
               ud_forrige_hash varchar, ud_hash varchar)
LANGUAGE plpgsql AS $$
DECLARE
    p record;
    r samtykke_adgangslog;
    nye samtykke_adgangslog[] := '{}';
    pladser integer[] := '{}';
    aktuel uuid;
    n integer;
    h varchar;
    t timestamptz;
    maaned date;
    kendt date;
BEGIN
    PERFORM count(pg_advisory_xact_lock(7431001, hashtext(s.k)))
       FROM (SELECT DISTINCT (x->>'borger_id')::uuid::text AS k
               FROM jsonb_array_elements(poster) AS x ORDER BY 1) AS s;
    -- a new statement, so it sees what the lock's previous holder committed
    FOR p IN
        SELECT a.i::integer AS i, e AS post, hd.nummer AS h_nummer, hd.hash AS h_hash,
               hd.tidspunkt AS h_tid
          FROM jsonb_array_elements(poster) WITH ORDINALITY AS a(x, i)
         CROSS JOIN LATERAL jsonb_populate_record(NULL::samtykke_adgangslog, a.x) AS e
          LEFT JOIN samtykke_adgangsloghoved AS hd ON hd.borger_id = e.borger_id
         ORDER BY e.borger_id, a.i
    LOOP
        r := p.post;
        IF aktuel IS DISTINCT FROM r.borger_id THEN
            aktuel := r.borger_id;
            n := coalesce(p.h_nummer, 0);
            h := coalesce(p.h_hash, repeat('0', 64));
            t := p.h_tid;
        END IF;
        n := n + 1;
        r.id := nextval('samtykke_adgangslog_id_seq');
        r.nummer := n;
        -- never before the chain's previous entry: a chain's months follow its numbers,
        -- which retention relies on (it drops whole months)
        r.tidspunkt := greatest(r.tidspunkt, t);
        r.forrige_hash := h;
        r.hash := samtykke_adgangslog_hash(r);
        maaned := date_trunc('month', r.tidspunkt AT TIME ZONE 'UTC')::date;
        IF kendt IS DISTINCT FROM maaned THEN
            PERFORM samtykke_adgangslog_partition(maaned);
            kendt := maaned;
        END IF;
        h := r.hash;
        t := r.tidspunkt;
        nye := nye || r;
        pladser := pladser || p.i;
    END LOOP;
    -- the entries, the heads moved on and the answer in one statement
    RETURN QUERY
    WITH ny AS (
        INSERT INTO samtykke_adgangslog SELECT * FROM unnest(nye)
    ), hoved AS (
        INSERT INTO samtykke_adgangsloghoved AS hd (borger_id, nummer, hash, tidspunkt)
        SELECT DISTINCT ON (x.borger_id) x.borger_id, x.nummer, x.hash, x.tidspunkt
          FROM unnest(nye) AS x ORDER BY x.borger_id, x.nummer DESC
            ON CONFLICT (borger_id) DO UPDATE
           SET nummer = excluded.nummer, hash = excluded.hash, tidspunkt = excluded.tidspunkt
    )
    SELECT pladser[x.ordinality::integer], x.id, x.nummer, x.tidspunkt, x.forrige_hash, x.hash
      FROM unnest(nye) WITH ORDINALITY AS x;
END
$$;
"""
)

# Back to one plain table (the functions over its row type go with the partitioned one).
TILBAGE = r"""
DROP FUNCTION IF EXISTS samtykke_adgangslog_skriv(jsonb);
DROP FUNCTION IF EXISTS samtykke_adgangslog_hash(samtykke_adgangslog);
DROP FUNCTION IF EXISTS samtykke_adgangslog_kanonisk(samtykke_adgangslog);
DROP FUNCTION IF EXISTS samtykke_adgangslog_hash_v1(samtykke_adgangslog);
DROP FUNCTION IF EXISTS samtykke_adgangslog_kanonisk_v1(samtykke_adgangslog);
ALTER TABLE samtykke_adgangslog RENAME TO samtykke_adgangslog_partitioneret;
ALTER INDEX samtykke_adgangslog_pkey RENAME TO samtykke_adgangslog_partitioneret_pkey;
ALTER TABLE samtykke_adgangslog_partitioneret
    DROP CONSTRAINT samtykke_adgangslog_borger_id_41dcfb2f_fk_organisat,
    DROP CONSTRAINT samtykke_adgangslog_bruger_id_d5738e60_fk_auth_user_id,
    DROP CONSTRAINT samtykke_adgangslog_enhed_id_2eb04e32_fk_organisation_enhed_id,
    DROP CONSTRAINT samtykke_adgangslog_handler_for_id_bc017c6f_fk_organisat;
DROP INDEX samtykke_adgangslog_tidspunkt_affcb483, samtykke_adgangslog_bruger_id_d5738e60,
    samtykke_adgangslog_enhed_id_2eb04e32, samtykke_adgangslog_handler_for_id_bc017c6f;
CREATE TABLE samtykke_adgangslog
    (LIKE samtykke_adgangslog_partitioneret INCLUDING CONSTRAINTS);
ALTER TABLE samtykke_adgangslog ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
INSERT INTO samtykke_adgangslog SELECT * FROM samtykke_adgangslog_partitioneret;
SELECT setval(pg_get_serial_sequence('samtykke_adgangslog', 'id'), coalesce(max(id), 0) + 1, false)
  FROM samtykke_adgangslog;
DROP TABLE samtykke_adgangslog_partitioneret;
ALTER TABLE samtykke_adgangslog ADD CONSTRAINT samtykke_adgangslog_pkey PRIMARY KEY (id);
ALTER TABLE samtykke_adgangslog
    ADD CONSTRAINT adgangslog_unik_nummer UNIQUE (borger_id, nummer);
CREATE INDEX samtykke_adgangslog_borger_id_41dcfb2f ON samtykke_adgangslog (borger_id);
CREATE INDEX samtykke_adgangslog_tidspunkt_affcb483 ON samtykke_adgangslog (tidspunkt);
CREATE INDEX samtykke_adgangslog_bruger_id_d5738e60 ON samtykke_adgangslog (bruger_id);
CREATE INDEX samtykke_adgangslog_enhed_id_2eb04e32 ON samtykke_adgangslog (enhed_id);
CREATE INDEX samtykke_adgangslog_handler_for_id_bc017c6f ON samtykke_adgangslog (handler_for_id);
ALTER TABLE samtykke_adgangslog
    ADD CONSTRAINT samtykke_adgangslog_borger_id_41dcfb2f_fk_organisat FOREIGN KEY (borger_id)
        REFERENCES organisation_borger (id) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT samtykke_adgangslog_bruger_id_d5738e60_fk_auth_user_id FOREIGN KEY (bruger_id)
        REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT samtykke_adgangslog_enhed_id_2eb04e32_fk_organisation_enhed_id
        FOREIGN KEY (enhed_id) REFERENCES organisation_enhed (id) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT samtykke_adgangslog_handler_for_id_bc017c6f_fk_organisat
        FOREIGN KEY (handler_for_id) REFERENCES organisation_relation (id)
        DEFERRABLE INITIALLY DEFERRED;
CREATE TRIGGER samtykke_adgangslog_append_only BEFORE UPDATE OR DELETE ON samtykke_adgangslog
    FOR EACH ROW EXECUTE FUNCTION datadeling_append_only();
"""

# Every chain's head, from the entries already written.
HOVEDER = """
INSERT INTO samtykke_adgangsloghoved (borger_id, nummer, hash, tidspunkt)
SELECT DISTINCT ON (borger_id) borger_id, nummer, hash, tidspunkt
  FROM samtykke_adgangslog ORDER BY borger_id, nummer DESC;
"""
