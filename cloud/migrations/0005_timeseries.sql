-- Time series: samples becomes a TimescaleDB hypertable (compressed, with a 1-minute continuous
-- aggregate) where the extension can be created, and stays a plain table elsewhere.
--
-- TimescaleDB refuses row-level security on compressed hypertables and continuous aggregates, so
-- samples alone leaves RLS, on every backend alike: the app role gets no privilege on it or on
-- samples_1m, writes go through ingest_samples() and reads through samples_read() and
-- samples_1m_read(), SECURITY DEFINER functions that take the tenant from the transaction's settings
-- exactly as the RLS policies do ('*' = every plant of the organization; unset or empty = nothing).
-- The owner may be a superuser (RLS does not apply to it), so every function filters explicitly.

DROP POLICY tenant_isolation ON samples;
ALTER TABLE samples NO FORCE ROW LEVEL SECURITY;
ALTER TABLE samples DISABLE ROW LEVEL SECURITY;
REVOKE ALL ON samples FROM PUBLIC;
REVOKE ALL ON samples FROM :"app_role";

-- A hypertable's unique constraints must include its partitioning column; samples' key is (id, ts).
DO $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM pg_constraint c
    WHERE c.conrelid = 'samples'::regclass AND c.contype IN ('p', 'u')
      AND NOT ((SELECT a.attnum FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attname = 'ts') = ANY (c.conkey))
  ) THEN
    RAISE EXCEPTION 'every unique constraint of samples must include ts';
  END IF;
END
$$;

DO $$
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS timescaledb;
  EXCEPTION WHEN OTHERS THEN
    -- Not installed, not preloaded or not permitted: the same schema works without it, only slower.
    RAISE NOTICE 'TimescaleDB unavailable (%); samples stays a plain table', SQLERRM;
  END;

  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    -- Dynamic SQL, so this file parses where the TimescaleDB functions do not exist.
    EXECUTE $sql$SELECT create_hypertable('samples', 'ts', chunk_time_interval => INTERVAL '1 day',
                                          migrate_data => true)$sql$;
    EXECUTE $sql$ALTER TABLE samples SET (timescaledb.compress,
                                         timescaledb.compress_segmentby = 'org_id, machine_id, tag',
                                         timescaledb.compress_orderby = 'ts')$sql$;
    EXECUTE $sql$SELECT add_compression_policy('samples', compress_after => INTERVAL '7 days')$sql$;
    EXECUTE $sql$
      CREATE MATERIALIZED VIEW samples_1m
      WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
      SELECT time_bucket(INTERVAL '1 minute', ts) AS bucket, org_id, plant_id, machine_id, tag,
             count(*) AS sample_count, min(value_num) AS num_min, max(value_num) AS num_max,
             avg(value_num) AS num_avg, last(value_num, ts) AS last_num, last(value_text, ts) AS last_text,
             last(value_bool, ts) AS last_bool
      FROM samples
      GROUP BY bucket, org_id, plant_id, machine_id, tag
      WITH NO DATA$sql$;
    -- A weekend's backlog arrives days late: refresh a wide window; only invalidated buckets are redone.
    EXECUTE $sql$SELECT add_continuous_aggregate_policy('samples_1m', start_offset => INTERVAL '30 days',
                                                        end_offset => INTERVAL '1 minute',
                                                        schedule_interval => INTERVAL '1 minute')$sql$;
  ELSE
    -- The same columns as the continuous aggregate; time_bucket's default origin, for the same buckets.
    CREATE VIEW samples_1m AS
    SELECT date_bin(INTERVAL '1 minute', ts, TIMESTAMPTZ '2000-01-03 00:00:00+00') AS bucket,
           org_id, plant_id, machine_id, tag,
           count(*) AS sample_count, min(value_num) AS num_min, max(value_num) AS num_max,
           avg(value_num) AS num_avg,
           (array_agg(value_num ORDER BY ts DESC))[1] AS last_num,
           (array_agg(value_text ORDER BY ts DESC))[1] AS last_text,
           (array_agg(value_bool ORDER BY ts DESC))[1] AS last_bool
    FROM samples
    GROUP BY 1, org_id, plant_id, machine_id, tag;
  END IF;
END
$$;
REVOKE ALL ON samples_1m FROM PUBLIC;
REVOKE ALL ON samples_1m FROM :"app_role";

-- Writes an edge's samples: organization, plant and edge come from the transaction (the context of an
-- unrevoked edge of that plant), never from arguments. Machines are looked up by code in that
-- plant. Returns the rows it wrote (duplicates of the natural key are skipped), so the caller can
-- move machine_latest, which keeps RLS, in the same statement.
CREATE FUNCTION ingest_samples(
  p_ids uuid[], p_seqs bigint[], p_machines text[], p_tags text[], p_ts timestamptz[],
  p_nums double precision[], p_texts text[], p_bools boolean[], p_qualities text[], p_epoch uuid
)
RETURNS TABLE (machine_id uuid, tag text, ts timestamptz, value_num double precision, value_text text,
               value_bool boolean, quality text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_org uuid := nullif(current_setting('app.org_id', true), '')::uuid;
  v_plant uuid := nullif(current_setting('app.plant_id', true), '')::uuid;
  v_edge uuid := CASE WHEN current_setting('app.actor_type', true) = 'edge'
                      THEN nullif(current_setting('app.actor_id', true), '')::uuid END;
BEGIN
  IF v_org IS NULL OR v_plant IS NULL OR v_edge IS NULL OR NOT EXISTS (
    SELECT 1 FROM public.edges e
    WHERE e.id = v_edge AND e.org_id = v_org AND e.plant_id = v_plant AND e.revoked_at IS NULL
  ) THEN
    RAISE EXCEPTION 'ingest_samples needs the tenant context of an edge of its plant'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN QUERY
    INSERT INTO public.samples AS s (id, org_id, plant_id, machine_id, edge_id, epoch, seq, tag, ts,
                                     value_num, value_text, value_bool, quality)
    SELECT u.id, v_org, v_plant, m.id, v_edge, p_epoch, u.seq, u.tag, u.ts,
           u.value_num, u.value_text, u.value_bool, u.quality
    FROM unnest(p_ids, p_seqs, p_machines, p_tags, p_ts, p_nums, p_texts, p_bools, p_qualities)
      AS u(id, seq, machine, tag, ts, value_num, value_text, value_bool, quality)
    JOIN public.machines m ON m.org_id = v_org AND m.plant_id = v_plant AND m.code = u.machine
    ON CONFLICT DO NOTHING
    RETURNING s.machine_id, s.tag, s.ts, s.value_num, s.value_text, s.value_bool, s.quality;
END
$$;

-- Raw samples of the tenant's visible plants, oldest first. NULL arguments do not filter (p_limit
-- NULL: no limit); the statement is built from the given ones so each read is planned for them.
CREATE FUNCTION samples_read(p_machine_id uuid, p_tag text, p_from timestamptz, p_to timestamptz, p_limit integer)
RETURNS TABLE (id uuid, org_id uuid, plant_id uuid, machine_id uuid, edge_id uuid, epoch uuid, seq bigint,
               tag text, ts timestamptz, value_num double precision, value_text text, value_bool boolean,
               quality text, received_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_org uuid := nullif(current_setting('app.org_id', true), '')::uuid;
  v_all_plants boolean := coalesce(current_setting('app.plant_ids', true) = '*', false);
  v_plants uuid[] := nullif(nullif(current_setting('app.plant_ids', true), ''), '*')::uuid[];
BEGIN
  IF v_org IS NULL OR NOT (v_all_plants OR v_plants IS NOT NULL) THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE
    'SELECT s.id, s.org_id, s.plant_id, s.machine_id, s.edge_id, s.epoch, s.seq, s.tag, s.ts,
            s.value_num, s.value_text, s.value_bool, s.quality, s.received_at
     FROM public.samples s WHERE s.org_id = $1'
    || CASE WHEN v_all_plants THEN '' ELSE ' AND s.plant_id = ANY ($2)' END
    || CASE WHEN p_machine_id IS NULL THEN '' ELSE ' AND s.machine_id = $3' END
    || CASE WHEN p_tag IS NULL THEN '' ELSE ' AND s.tag = $4' END
    || CASE WHEN p_from IS NULL THEN '' ELSE ' AND s.ts >= $5' END
    || CASE WHEN p_to IS NULL THEN '' ELSE ' AND s.ts < $6' END
    || ' ORDER BY s.ts, s.tag, s.id LIMIT $7'
    USING v_org, v_plants, p_machine_id, p_tag, p_from, p_to, p_limit;
END
$$;

-- 1-minute buckets of the tenant's visible plants, oldest first: every bucket that starts in
-- [p_from rounded down to its minute, p_to), each over its whole minute. NULL arguments as above.
-- With TimescaleDB the continuous aggregate answers; without it the buckets are computed from the
-- samples of the range (samples_1m as a view cannot narrow the scan by time).
CREATE FUNCTION samples_1m_read(p_machine_id uuid, p_tag text, p_from timestamptz, p_to timestamptz, p_limit integer)
RETURNS TABLE (bucket timestamptz, org_id uuid, plant_id uuid, machine_id uuid, tag text, sample_count bigint,
               num_min double precision, num_max double precision, num_avg double precision,
               last_num double precision, last_text text, last_bool boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_org uuid := nullif(current_setting('app.org_id', true), '')::uuid;
  v_all_plants boolean := coalesce(current_setting('app.plant_ids', true) = '*', false);
  v_plants uuid[] := nullif(nullif(current_setting('app.plant_ids', true), ''), '*')::uuid[];
  v_origin constant timestamptz := TIMESTAMPTZ '2000-01-03 00:00:00+00';
  v_from timestamptz := date_bin(INTERVAL '1 minute', p_from, v_origin);
  v_to timestamptz := date_bin(INTERVAL '1 minute', p_to - INTERVAL '1 microsecond', v_origin) + INTERVAL '1 minute';
  v_filter text;
BEGIN
  IF v_org IS NULL OR NOT (v_all_plants OR v_plants IS NOT NULL) THEN
    RETURN;
  END IF;
  v_filter := ' WHERE s.org_id = $1'
    || CASE WHEN v_all_plants THEN '' ELSE ' AND s.plant_id = ANY ($2)' END
    || CASE WHEN p_machine_id IS NULL THEN '' ELSE ' AND s.machine_id = $3' END
    || CASE WHEN p_tag IS NULL THEN '' ELSE ' AND s.tag = $4' END;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'timescaledb') THEN
    RETURN QUERY EXECUTE
      'SELECT s.bucket, s.org_id, s.plant_id, s.machine_id, s.tag, s.sample_count, s.num_min, s.num_max,
              s.num_avg, s.last_num, s.last_text, s.last_bool
       FROM public.samples_1m s' || v_filter
      || CASE WHEN p_from IS NULL THEN '' ELSE ' AND s.bucket >= $5' END
      || CASE WHEN p_to IS NULL THEN '' ELSE ' AND s.bucket < $6' END
      || ' ORDER BY s.bucket, s.tag, s.machine_id LIMIT $7'
      USING v_org, v_plants, p_machine_id, p_tag, v_from, v_to, p_limit;
  ELSE
    RETURN QUERY EXECUTE
      'SELECT date_bin(INTERVAL ''1 minute'', s.ts, $8), s.org_id, s.plant_id, s.machine_id, s.tag, count(*),
              min(s.value_num), max(s.value_num), avg(s.value_num),
              (array_agg(s.value_num ORDER BY s.ts DESC))[1], (array_agg(s.value_text ORDER BY s.ts DESC))[1],
              (array_agg(s.value_bool ORDER BY s.ts DESC))[1]
       FROM public.samples s' || v_filter
      || CASE WHEN p_from IS NULL THEN '' ELSE ' AND s.ts >= $5' END
      || CASE WHEN p_to IS NULL THEN '' ELSE ' AND s.ts < $6' END
      || ' GROUP BY 1, s.org_id, s.plant_id, s.machine_id, s.tag ORDER BY 1, s.tag, s.machine_id LIMIT $7'
      USING v_org, v_plants, p_machine_id, p_tag, v_from, v_to, p_limit, v_origin;
  END IF;
END
$$;

REVOKE EXECUTE ON FUNCTION ingest_samples(uuid[], bigint[], text[], text[], timestamptz[], double precision[],
                                          text[], boolean[], text[], uuid) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION samples_read(uuid, text, timestamptz, timestamptz, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION samples_1m_read(uuid, text, timestamptz, timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ingest_samples(uuid[], bigint[], text[], text[], timestamptz[], double precision[],
                                         text[], boolean[], text[], uuid) TO :"app_role";
GRANT EXECUTE ON FUNCTION samples_read(uuid, text, timestamptz, timestamptz, integer) TO :"app_role";
GRANT EXECUTE ON FUNCTION samples_1m_read(uuid, text, timestamptz, timestamptz, integer) TO :"app_role";
