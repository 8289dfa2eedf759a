-- The downlink: what an edge replicates of its plant (machine tags, materials, work orders, label
-- templates besides machines, users and roles), and a change log that orders every change to those
-- rows per organization, in commit order, for the plant-scoped change feed.
--
-- Materials are organization-wide (any plant may use them); tags, work orders and label templates
-- belong to one plant.

ALTER TABLE machines ADD CONSTRAINT machines_org_id_plant_id_id_key UNIQUE (org_id, plant_id, id);

CREATE TABLE materials (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  code text NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  unit text NOT NULL CHECK (length(unit) BETWEEN 1 AND 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, code),
  UNIQUE (org_id, id)
);
ALTER TABLE materials ENABLE ROW LEVEL SECURITY;
ALTER TABLE materials FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON materials
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON materials TO :"app_role";

-- How a supervisor reads a machine's tag (unit, limits); how the edge polls it stays in its config.
CREATE TABLE machine_tags (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  plant_id uuid NOT NULL,
  machine_id uuid NOT NULL,
  tag text NOT NULL CHECK (length(tag) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
  unit text CHECK (length(unit) BETWEEN 1 AND 32),
  low double precision,
  high double precision,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (machine_id, tag),
  CHECK (low IS NULL OR high IS NULL OR low <= high),
  FOREIGN KEY (org_id, plant_id, machine_id) REFERENCES machines (org_id, plant_id, id) ON DELETE CASCADE
);
CREATE INDEX machine_tags_org_plant ON machine_tags (org_id, plant_id);
ALTER TABLE machine_tags ENABLE ROW LEVEL SECURITY;
ALTER TABLE machine_tags FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON machine_tags
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid
         AND (current_setting('app.plant_ids', true) = '*'
              OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid
              AND (current_setting('app.plant_ids', true) = '*'
                   OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])));
GRANT SELECT, INSERT, UPDATE, DELETE ON machine_tags TO :"app_role";

CREATE TABLE work_orders (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  plant_id uuid NOT NULL,
  number text NOT NULL CHECK (length(number) BETWEEN 1 AND 64),
  material_id uuid NOT NULL,
  machine_id uuid,
  quantity double precision NOT NULL CHECK (quantity > 0),
  status text NOT NULL DEFAULT 'planned'
    CHECK (status IN ('planned', 'released', 'running', 'completed', 'cancelled')),
  due_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (plant_id, number),
  FOREIGN KEY (org_id, plant_id) REFERENCES plants (org_id, id),
  FOREIGN KEY (org_id, material_id) REFERENCES materials (org_id, id),
  FOREIGN KEY (org_id, plant_id, machine_id) REFERENCES machines (org_id, plant_id, id)
);
CREATE INDEX work_orders_org_plant ON work_orders (org_id, plant_id);
CREATE INDEX work_orders_material ON work_orders (material_id);
CREATE INDEX work_orders_machine ON work_orders (machine_id) WHERE machine_id IS NOT NULL;
ALTER TABLE work_orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE work_orders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON work_orders
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid
         AND (current_setting('app.plant_ids', true) = '*'
              OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid
              AND (current_setting('app.plant_ids', true) = '*'
                   OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])));
GRANT SELECT, INSERT, UPDATE, DELETE ON work_orders TO :"app_role";

CREATE TABLE label_templates (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  plant_id uuid NOT NULL,
  code text NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  zpl text NOT NULL CHECK (length(zpl) BETWEEN 1 AND 65536),
  revision integer NOT NULL DEFAULT 1 CHECK (revision > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (plant_id, code),
  FOREIGN KEY (org_id, plant_id) REFERENCES plants (org_id, id)
);
CREATE INDEX label_templates_org_plant ON label_templates (org_id, plant_id);
ALTER TABLE label_templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE label_templates FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON label_templates
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid
         AND (current_setting('app.plant_ids', true) = '*'
              OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid
              AND (current_setting('app.plant_ids', true) = '*'
                   OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])));
GRANT SELECT, INSERT, UPDATE, DELETE ON label_templates TO :"app_role";

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON materials FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON machine_tags FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON work_orders FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON label_templates FOR EACH ROW EXECUTE FUNCTION audit_row('id');

-- One row per organization that has changes. Every change locks it until its transaction ends and
-- takes the next version after the newest one in the log, so versions of one organization become
-- visible in the order they were given out: nobody sees version N+1 committed while N may still come.
-- (Locked, not updated: a transaction writing many rows would otherwise pile up versions of this row.)
-- `pruned_through` is the highest version retention has removed; a cursor below it cannot continue.
CREATE TABLE change_versions (
  org_id uuid PRIMARY KEY REFERENCES organizations (id),
  pruned_through bigint NOT NULL DEFAULT 0
);
ALTER TABLE change_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE change_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON change_versions
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
GRANT SELECT ON change_versions TO :"app_role";

-- One row per change: which row changed, not its contents. The feed reads the row as it is when the
-- edge asks (a row it can no longer see becomes a tombstone). plant_id is null for rows every plant
-- of the organization replicates (materials, roles, users, signing keys).
CREATE TABLE change_log (
  org_id uuid NOT NULL,
  version bigint NOT NULL,
  plant_id uuid,
  entity text NOT NULL CHECK (entity IN ('machine', 'machine_tag', 'material', 'work_order',
                                         'label_template', 'role', 'user', 'signing_key')),
  entity_id text NOT NULL,
  op text NOT NULL CHECK (op IN ('upsert', 'delete')),
  changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (org_id, version)
);
CREATE INDEX change_log_changed_at ON change_log (changed_at);
ALTER TABLE change_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE change_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON change_log
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid
         AND (plant_id IS NULL
              OR current_setting('app.plant_ids', true) = '*'
              OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid
              AND (plant_id IS NULL
                   OR current_setting('app.plant_ids', true) = '*'
                   OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])));
REVOKE ALL ON change_log FROM PUBLIC;
GRANT SELECT ON change_log TO :"app_role";

-- Gives the change the organization's next version and wakes long-polling readers at commit.
CREATE FUNCTION change_log_record(p_org uuid, p_plant uuid, p_entity text, p_entity_id text, p_op text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  next_version bigint;
BEGIN
  SELECT v.pruned_through INTO next_version FROM public.change_versions v WHERE v.org_id = p_org FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO public.change_versions (org_id) VALUES (p_org) ON CONFLICT (org_id) DO NOTHING;
    SELECT v.pruned_through INTO next_version FROM public.change_versions v WHERE v.org_id = p_org FOR UPDATE;
  END IF;
  SELECT greatest(next_version, coalesce(max(l.version), 0)) + 1 INTO next_version
  FROM public.change_log l WHERE l.org_id = p_org;
  INSERT INTO public.change_log (org_id, version, plant_id, entity, entity_id, op)
  VALUES (p_org, next_version, p_plant, p_entity, p_entity_id, p_op);
  PERFORM pg_notify('unison_changes', p_org::text);
END
$$;
REVOKE EXECUTE ON FUNCTION change_log_record(uuid, uuid, text, text, text) FROM PUBLIC;

-- TG_ARGV: the entity, the column naming the entity's id, the plant column ('' when org-wide).
-- Rows without an organization (built-in roles, signing keys) go into every organization's log.
-- A change to a user's roles or plants is a change of the user.
CREATE FUNCTION change_log_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  entity text := TG_ARGV[0];
  key_column text := TG_ARGV[1];
  plant_column text := nullif(TG_ARGV[2], '');
  old_row jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END;
  new_row jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END;
  subject jsonb := coalesce(new_row, old_row);
  op text := CASE WHEN TG_OP = 'DELETE' AND TG_TABLE_NAME NOT IN ('user_roles', 'user_plant_access')
                  THEN 'delete' ELSE 'upsert' END;
  org uuid := (subject ->> 'org_id')::uuid;
  tenant record;
BEGIN
  IF TG_OP = 'UPDATE' AND old_row = new_row THEN
    RETURN NULL;
  END IF;
  IF org IS NULL THEN
    -- In id order, so two such changes never wait on each other's organizations in a cycle.
    FOR tenant IN SELECT o.id FROM public.organizations o ORDER BY o.id LOOP
      PERFORM public.change_log_record(tenant.id, NULL, entity, subject ->> key_column, op);
    END LOOP;
    RETURN NULL;
  END IF;
  -- A row leaving a plant is gone for that plant's edge.
  IF plant_column IS NOT NULL AND TG_OP = 'UPDATE'
     AND (old_row ->> plant_column) IS DISTINCT FROM (new_row ->> plant_column) THEN
    PERFORM public.change_log_record(org, (old_row ->> plant_column)::uuid, entity,
                                     old_row ->> key_column, 'delete');
  END IF;
  PERFORM public.change_log_record(org, CASE WHEN plant_column IS NULL THEN NULL
                                             ELSE (subject ->> plant_column)::uuid END,
                                   entity, subject ->> key_column, op);
  RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION change_log_row() FROM PUBLIC;

CREATE TRIGGER change_log AFTER INSERT OR UPDATE OR DELETE ON machines
  FOR EACH ROW EXECUTE FUNCTION change_log_row('machine', 'id', 'plant_id');
CREATE TRIGGER change_log AFTER INSERT OR UPDATE OR DELETE ON machine_tags
  FOR EACH ROW EXECUTE FUNCTION change_log_row('machine_tag', 'id', 'plant_id');
CREATE TRIGGER change_log AFTER INSERT OR UPDATE OR DELETE ON materials
  FOR EACH ROW EXECUTE FUNCTION change_log_row('material', 'id', '');
CREATE TRIGGER change_log AFTER INSERT OR UPDATE OR DELETE ON work_orders
  FOR EACH ROW EXECUTE FUNCTION change_log_row('work_order', 'id', 'plant_id');
CREATE TRIGGER change_log AFTER INSERT OR UPDATE OR DELETE ON label_templates
  FOR EACH ROW EXECUTE FUNCTION change_log_row('label_template', 'id', 'plant_id');
CREATE TRIGGER change_log AFTER INSERT OR UPDATE OR DELETE ON roles
  FOR EACH ROW EXECUTE FUNCTION change_log_row('role', 'id', '');
CREATE TRIGGER change_log AFTER INSERT OR UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION change_log_row('user', 'id', '');
CREATE TRIGGER change_log AFTER INSERT OR UPDATE OR DELETE ON user_roles
  FOR EACH ROW EXECUTE FUNCTION change_log_row('user', 'user_id', '');
CREATE TRIGGER change_log AFTER INSERT OR UPDATE OR DELETE ON user_plant_access
  FOR EACH ROW EXECUTE FUNCTION change_log_row('user', 'user_id', '');
CREATE TRIGGER change_log AFTER INSERT OR UPDATE OR DELETE ON signing_keys
  FOR EACH ROW EXECUTE FUNCTION change_log_row('signing_key', 'kid', '');

-- Retention: removes every organization's changes older than p_older_than and remembers, per
-- organization, the highest version removed. Returns how many changes were removed.
CREATE FUNCTION change_log_prune(p_older_than interval) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  cutoff timestamptz := clock_timestamp() - p_older_than;
  removed integer;
BEGIN
  -- Counter rows locked in id order, like every other writer that takes more than one.
  PERFORM 1 FROM public.change_versions v
  WHERE v.org_id IN (SELECT DISTINCT l.org_id FROM public.change_log l WHERE l.changed_at < cutoff)
  ORDER BY v.org_id FOR UPDATE;
  WITH pruned AS (
    DELETE FROM public.change_log l WHERE l.changed_at < cutoff RETURNING l.org_id, l.version
  ), bounds AS (
    SELECT p.org_id, max(p.version) AS through, count(*) AS n FROM pruned p GROUP BY p.org_id
  ), moved AS (
    UPDATE public.change_versions v SET pruned_through = greatest(v.pruned_through, b.through)
    FROM bounds b WHERE v.org_id = b.org_id RETURNING 1
  )
  SELECT coalesce(sum(b.n), 0)::integer INTO removed FROM bounds b;
  RETURN removed;
END
$$;
REVOKE EXECUTE ON FUNCTION change_log_prune(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION change_log_prune(interval) TO :"app_role";

-- The public half of the cloud's signing keys (all of them, or the ones named), for edges that
-- verify user tokens offline. Keys retired before p_retired_since no longer verify anything.
CREATE FUNCTION sync_signing_keys(p_kids text[], p_retired_since timestamptz)
RETURNS TABLE (kid text, public_jwk jsonb, retired_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT k.kid, k.public_jwk - 'd' - 'p' - 'q' - 'dp' - 'dq' - 'qi', k.retired_at
  FROM public.signing_keys k
  WHERE (p_kids IS NULL OR k.kid = ANY (p_kids))
    AND (k.retired_at IS NULL OR k.retired_at >= p_retired_since)
  ORDER BY k.kid
$$;
REVOKE EXECUTE ON FUNCTION sync_signing_keys(text[], timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync_signing_keys(text[], timestamptz) TO :"app_role";
