-- ISA-95 model below plants, roles and plant access, platform operators and the audit log.
--
-- Plant scoping: a transaction carries `app.plant_ids`, either '*' (every plant of the organization)
-- or a uuid[] literal. Plant-scoped tables compare against it as uuid, so an unset or empty setting
-- fails closed exactly like `app.org_id`.

ALTER TABLE users ADD COLUMN name text NOT NULL DEFAULT '' CHECK (length(name) <= 200);
ALTER TABLE users ADD COLUMN all_plants boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN deactivated_at timestamptz;
ALTER TABLE users ADD CONSTRAINT users_org_id_id_key UNIQUE (org_id, id);
ALTER TABLE organizations ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
-- Every user before this migration was an organization's first admin.
UPDATE users SET all_plants = true;
GRANT INSERT, UPDATE ON users TO :"app_role";
GRANT UPDATE ON organizations TO :"app_role";

ALTER TABLE plants ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
DROP POLICY tenant_isolation ON plants;
CREATE POLICY tenant_isolation ON plants
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid
         AND (current_setting('app.plant_ids', true) = '*'
              OR id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid
              AND (current_setting('app.plant_ids', true) = '*'
                   OR id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])));
GRANT INSERT, UPDATE, DELETE ON plants TO :"app_role";

CREATE TABLE areas (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  plant_id uuid NOT NULL,
  code text NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (plant_id, code),
  UNIQUE (org_id, plant_id, id),
  FOREIGN KEY (org_id, plant_id) REFERENCES plants (org_id, id)
);
ALTER TABLE areas ENABLE ROW LEVEL SECURITY;
ALTER TABLE areas FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON areas
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid
         AND (current_setting('app.plant_ids', true) = '*'
              OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid
              AND (current_setting('app.plant_ids', true) = '*'
                   OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])));
GRANT SELECT, INSERT, UPDATE, DELETE ON areas TO :"app_role";

CREATE TABLE lines (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  plant_id uuid NOT NULL,
  area_id uuid NOT NULL,
  code text NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (area_id, code),
  UNIQUE (org_id, plant_id, id),
  FOREIGN KEY (org_id, plant_id, area_id) REFERENCES areas (org_id, plant_id, id)
);
CREATE INDEX lines_org_plant ON lines (org_id, plant_id);
ALTER TABLE lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE lines FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lines
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid
         AND (current_setting('app.plant_ids', true) = '*'
              OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid
              AND (current_setting('app.plant_ids', true) = '*'
                   OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])));
GRANT SELECT, INSERT, UPDATE, DELETE ON lines TO :"app_role";

-- Machines created by ingest have no line until someone places them.
ALTER TABLE machines ADD COLUMN line_id uuid;
ALTER TABLE machines ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE machines ADD CONSTRAINT machines_line_fk
  FOREIGN KEY (org_id, plant_id, line_id) REFERENCES lines (org_id, plant_id, id);
CREATE INDEX machines_org_code ON machines (org_id, code, id);
CREATE INDEX machines_line ON machines (line_id) WHERE line_id IS NOT NULL;
DROP POLICY tenant_isolation ON machines;
CREATE POLICY tenant_isolation ON machines
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid
         AND (current_setting('app.plant_ids', true) = '*'
              OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid
              AND (current_setting('app.plant_ids', true) = '*'
                   OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])));
GRANT DELETE ON machines TO :"app_role";

-- Telemetry and edge bookkeeping follow their plant as well.
DROP POLICY tenant_isolation ON samples;
CREATE POLICY tenant_isolation ON samples
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid
         AND (current_setting('app.plant_ids', true) = '*'
              OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid
              AND (current_setting('app.plant_ids', true) = '*'
                   OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])));

DROP POLICY tenant_isolation ON machine_latest;
CREATE POLICY tenant_isolation ON machine_latest
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid
         AND (current_setting('app.plant_ids', true) = '*'
              OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid
              AND (current_setting('app.plant_ids', true) = '*'
                   OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])));

DROP POLICY tenant_isolation ON edges;
CREATE POLICY tenant_isolation ON edges
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid
         AND (current_setting('app.plant_ids', true) = '*'
              OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid
              AND (current_setting('app.plant_ids', true) = '*'
                   OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])));

DROP POLICY tenant_isolation ON edge_enrollment_codes;
CREATE POLICY tenant_isolation ON edge_enrollment_codes
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid
         AND (current_setting('app.plant_ids', true) = '*'
              OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid
              AND (current_setting('app.plant_ids', true) = '*'
                   OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])));

DROP POLICY tenant_isolation ON edge_streams;
CREATE POLICY tenant_isolation ON edge_streams
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid
         AND (current_setting('app.plant_ids', true) = '*'
              OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid
              AND (current_setting('app.plant_ids', true) = '*'
                   OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])));

-- Built-in roles are global rows (org_id null) every organization reads and none can change; their
-- permissions are kept in step with the code at start-up. Custom roles belong to one organization.
CREATE TABLE roles (
  id uuid PRIMARY KEY,
  org_id uuid REFERENCES organizations (id),
  key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_-]{0,63}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
  permissions text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX roles_org_id_key_key ON roles (coalesce(org_id, '00000000-0000-0000-0000-000000000000'::uuid), key);
ALTER TABLE roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE roles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON roles
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
-- Read-only for tenants: only SELECT may see the global rows; writes go through tenant_isolation alone.
CREATE POLICY built_in_read ON roles FOR SELECT
  USING (org_id IS NULL AND nullif(current_setting('app.org_id', true), '') IS NOT NULL);
GRANT SELECT, INSERT, UPDATE, DELETE ON roles TO :"app_role";

INSERT INTO roles (id, org_id, key, name) VALUES
  (gen_random_uuid(), NULL, 'org_admin', 'Organization admin'),
  (gen_random_uuid(), NULL, 'plant_supervisor', 'Plant supervisor'),
  (gen_random_uuid(), NULL, 'quality_engineer', 'Quality engineer'),
  (gen_random_uuid(), NULL, 'operator', 'Operator'),
  (gen_random_uuid(), NULL, 'viewer', 'Viewer');

CREATE TABLE user_roles (
  org_id uuid NOT NULL,
  user_id uuid NOT NULL,
  role_id uuid NOT NULL REFERENCES roles (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, role_id),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX user_roles_role ON user_roles (role_id);
ALTER TABLE user_roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_roles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON user_roles
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
GRANT SELECT, INSERT, DELETE ON user_roles TO :"app_role";

INSERT INTO user_roles (org_id, user_id, role_id)
SELECT u.org_id, u.id, r.id FROM users u CROSS JOIN roles r WHERE r.org_id IS NULL AND r.key = 'org_admin';

-- A user without all_plants sees exactly the plants listed here; no rows means no plant.
CREATE TABLE user_plant_access (
  org_id uuid NOT NULL,
  user_id uuid NOT NULL,
  plant_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, plant_id),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id),
  FOREIGN KEY (org_id, plant_id) REFERENCES plants (org_id, id)
);
ALTER TABLE user_plant_access ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_plant_access FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON user_plant_access
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
GRANT SELECT, INSERT, DELETE ON user_plant_access TO :"app_role";

-- Not tenant data: the platform's operators. No grant to the app role.
CREATE TABLE platform_admins (
  id uuid PRIMARY KEY,
  email text NOT NULL UNIQUE CHECK (email = lower(email)),
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON platform_admins FROM PUBLIC;

-- An organization's consent for one platform operator to act in it with one role.
CREATE TABLE platform_grants (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  platform_admin_id uuid NOT NULL REFERENCES platform_admins (id),
  role_id uuid NOT NULL REFERENCES roles (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  UNIQUE (org_id, platform_admin_id)
);
ALTER TABLE platform_grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE platform_grants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON platform_grants
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
GRANT SELECT, INSERT, DELETE ON platform_grants TO :"app_role";

-- Append-only: the app role may only read its organization's rows; rows arrive through the
-- SECURITY DEFINER trigger function below, and nobody but the owner can change or remove them.
CREATE TABLE audit_log (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'edge', 'platform_admin', 'system')),
  actor_id uuid,
  action text NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
  table_name text NOT NULL,
  row_id text,
  before jsonb,
  after jsonb
);
CREATE INDEX audit_log_org_at ON audit_log (org_id, at DESC, id DESC);
CREATE INDEX audit_log_row ON audit_log (org_id, table_name, row_id);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
REVOKE ALL ON audit_log FROM PUBLIC;
GRANT SELECT ON audit_log TO :"app_role";

-- TG_ARGV[0]: the column that identifies the row; TG_ARGV[1..]: columns never copied into the log.
CREATE FUNCTION audit_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  before_row jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END;
  after_row jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END;
  key_column text := coalesce(TG_ARGV[0], 'id');
  subject jsonb;
  org uuid;
  actor_kind text := nullif(current_setting('app.actor_type', true), '');
  actor uuid := nullif(current_setting('app.actor_id', true), '')::uuid;
BEGIN
  IF TG_NARGS > 1 THEN
    FOR i IN 1 .. TG_NARGS - 1 LOOP
      before_row := before_row - TG_ARGV[i];
      after_row := after_row - TG_ARGV[i];
    END LOOP;
  END IF;
  IF TG_OP = 'UPDATE' AND before_row = after_row THEN
    RETURN NULL;
  END IF;
  subject := coalesce(after_row, before_row);
  org := CASE WHEN TG_TABLE_NAME = 'organizations' THEN (subject ->> 'id')::uuid
              ELSE (subject ->> 'org_id')::uuid END;
  -- Global rows (built-in roles) belong to no tenant and change only with the code.
  IF org IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO public.audit_log (org_id, actor_type, actor_id, action, table_name, row_id, before, after)
  VALUES (org, coalesce(actor_kind, 'system'), actor, lower(TG_OP), TG_TABLE_NAME,
          subject ->> key_column, before_row, after_row);
  RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION audit_row() FROM PUBLIC;

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON organizations FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON plants FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON areas FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON lines FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON machines FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION audit_row('id', 'password_hash');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON roles FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON user_roles FOR EACH ROW EXECUTE FUNCTION audit_row('user_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON user_plant_access FOR EACH ROW EXECUTE FUNCTION audit_row('user_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON platform_grants FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON edges FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON edge_enrollment_codes FOR EACH ROW EXECUTE FUNCTION audit_row('plant_id', 'code_hash');

-- What a caller may do in an organization: its roles' permissions and its plants. Runs on every
-- guarded request before the tenant context exists, so it is a definer lookup like login.
CREATE FUNCTION authz_access(p_principal uuid, p_org uuid)
RETURNS TABLE (kind text, active boolean, all_plants boolean, permissions text[], plant_ids uuid[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT 'user', u.deactivated_at IS NULL, u.all_plants,
         coalesce((SELECT array_agg(DISTINCT p) FROM public.user_roles ur
                   JOIN public.roles r ON r.id = ur.role_id CROSS JOIN unnest(r.permissions) AS p
                   WHERE ur.user_id = u.id), '{}'),
         coalesce((SELECT array_agg(a.plant_id) FROM public.user_plant_access a WHERE a.user_id = u.id), '{}')
  FROM public.users u WHERE u.id = p_principal AND u.org_id = p_org
  UNION ALL
  SELECT 'platform_admin', true, true, r.permissions, '{}'
  FROM public.platform_grants g JOIN public.roles r ON r.id = g.role_id
  WHERE g.platform_admin_id = p_principal AND g.org_id = p_org AND g.expires_at > now()
$$;

CREATE FUNCTION platform_find_login(p_email text)
RETURNS TABLE (admin_id uuid, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT a.id, a.password_hash FROM public.platform_admins a WHERE a.email = lower(p_email)
$$;

CREATE FUNCTION platform_admin_exists(p_admin uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT EXISTS (SELECT 1 FROM public.platform_admins a WHERE a.id = p_admin)
$$;

CREATE FUNCTION platform_find_admin(p_email text) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT a.id FROM public.platform_admins a WHERE a.email = lower(p_email)
$$;

-- Names only: platform operators see which organizations exist, never their data.
CREATE FUNCTION platform_list_organizations(p_after uuid, p_limit int)
RETURNS TABLE (id uuid, name text, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT o.id, o.name, o.created_at FROM public.organizations o
  WHERE p_after IS NULL OR o.id > p_after
  ORDER BY o.id LIMIT p_limit
$$;

REVOKE EXECUTE ON FUNCTION authz_access(uuid, uuid) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION platform_find_login(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION platform_admin_exists(uuid) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION platform_find_admin(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION platform_list_organizations(uuid, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION authz_access(uuid, uuid) TO :"app_role";
GRANT EXECUTE ON FUNCTION platform_find_login(text) TO :"app_role";
GRANT EXECUTE ON FUNCTION platform_admin_exists(uuid) TO :"app_role";
GRANT EXECUTE ON FUNCTION platform_find_admin(text) TO :"app_role";
GRANT EXECUTE ON FUNCTION platform_list_organizations(uuid, int) TO :"app_role";
