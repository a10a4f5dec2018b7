"""SQL of migration 0006: a leaner write of the access log (issue #15, item 4).

Frozen here for that migration, like _sql_0005; docs/adgang.md describes the whole. Each
entry used to cost four row-lock records in the WAL besides the row and its index entries:
the foreign-key checks locked the citizen's, the user's and the unit's row, and the chain
head was locked before it was updated (INSERT … ON CONFLICT). Two of them go:

- the entries' foreign key to the citizen: the chain head, written by the same statement,
  has its own foreign key to the citizen, and the verifier names an entry whose chain has
  no head, so an entry still cannot name a citizen who does not exist, and a citizen with
  entries still cannot be deleted (the head refers to them);
- the head is moved on with a plain UPDATE (a new chain gets an INSERT): the chain lock
  the writer holds already keeps every other writer off the head, so locking the row first
  bought nothing.

The index on `handler_for_id` becomes partial (only entries written by someone acting for
the citizen have one): the other entries no longer add a NULL to it, and a lookup by a
relation finds the same rows.
"""

from samtykke.migrations._sql_0005 import KONVERTER

# The function as migration 0005 made it (the last thing in its SQL), for going back.
SKRIV_0005 = KONVERTER[KONVERTER.index("CREATE OR REPLACE FUNCTION samtykke_adgangslog_skriv") :]

SKRIV = r"""
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
    -- the entries, the heads moved on and the answer in one statement; the chain locks
    -- keep other writers off these heads, so a plain UPDATE moves an existing one (no row
    -- lock first, as INSERT … ON CONFLICT takes) and a chain's first entry inserts its head
    RETURN QUERY
    WITH ny AS (
        INSERT INTO samtykke_adgangslog SELECT * FROM unnest(nye)
    ), sidste AS (
        SELECT DISTINCT ON (x.borger_id) x.borger_id, x.nummer, x.hash, x.tidspunkt
          FROM unnest(nye) AS x ORDER BY x.borger_id, x.nummer DESC
    ), flyttet AS (
        UPDATE samtykke_adgangsloghoved AS hd
           SET nummer = s.nummer, hash = s.hash, tidspunkt = s.tidspunkt
          FROM sidste AS s
         WHERE hd.borger_id = s.borger_id
        RETURNING hd.borger_id
    ), ny_hoved AS (
        INSERT INTO samtykke_adgangsloghoved (borger_id, nummer, hash, tidspunkt)
        SELECT s.borger_id, s.nummer, s.hash, s.tidspunkt
          FROM sidste AS s
         WHERE NOT EXISTS (SELECT FROM flyttet AS f WHERE f.borger_id = s.borger_id)
    )
    SELECT pladser[x.ordinality::integer], x.id, x.nummer, x.tidspunkt, x.forrige_hash, x.hash
      FROM unnest(nye) WITH ORDINALITY AS x;
END
$$;
"""

# The citizen is the head's to guard; the relation index holds only entries that have one.
SLANKERE = """
ALTER TABLE samtykke_adgangslog DROP CONSTRAINT samtykke_adgangslog_borger_id_41dcfb2f_fk_organisat;
DROP INDEX samtykke_adgangslog_handler_for_id_bc017c6f;
CREATE INDEX adgangslog_handler_for ON samtykke_adgangslog (handler_for_id)
    WHERE handler_for_id IS NOT NULL;
"""

SLANKERE_TILBAGE = """
DROP INDEX adgangslog_handler_for;
CREATE INDEX samtykke_adgangslog_handler_for_id_bc017c6f ON samtykke_adgangslog (handler_for_id);
ALTER TABLE samtykke_adgangslog
    ADD CONSTRAINT samtykke_adgangslog_borger_id_41dcfb2f_fk_organisat FOREIGN KEY (borger_id)
        REFERENCES organisation_borger (id) DEFERRABLE INITIALLY DEFERRED;
"""
