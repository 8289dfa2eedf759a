-- The application role. Requests switch to it with SET LOCAL ROLE, so RLS applies to every query they make.
-- Test databases on one server create it concurrently, hence both exceptions.
DO $$
BEGIN
  CREATE ROLE :"app_role" NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

-- A non-superuser migration owner must be a member of the app role to SET ROLE to it.
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT %I TO %I', :'app_role', current_user);
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO :"app_role";

CREATE TABLE organizations (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organizations
  USING (id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (id = nullif(current_setting('app.org_id', true), '')::uuid);
GRANT SELECT ON organizations TO :"app_role";

CREATE TABLE plants (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  code text NOT NULL,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, code),
  UNIQUE (org_id, id)
);
ALTER TABLE plants ENABLE ROW LEVEL SECURITY;
ALTER TABLE plants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON plants
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
GRANT SELECT ON plants TO :"app_role";

CREATE TABLE machines (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  plant_id uuid NOT NULL,
  code text NOT NULL,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (plant_id, code),
  FOREIGN KEY (org_id, plant_id) REFERENCES plants (org_id, id)
);
ALTER TABLE machines ENABLE ROW LEVEL SECURITY;
ALTER TABLE machines FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON machines
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON machines TO :"app_role";

CREATE TABLE users (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  email text NOT NULL UNIQUE CHECK (email = lower(email)),
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
GRANT SELECT ON users TO :"app_role";

CREATE TABLE edges (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  plant_id uuid NOT NULL,
  name text NOT NULL,
  public_key jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  FOREIGN KEY (org_id, plant_id) REFERENCES plants (org_id, id)
);
ALTER TABLE edges ENABLE ROW LEVEL SECURITY;
ALTER TABLE edges FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON edges
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON edges TO :"app_role";

CREATE TABLE edge_enrollment_codes (
  code_hash text PRIMARY KEY,
  org_id uuid NOT NULL,
  plant_id uuid NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, plant_id) REFERENCES plants (org_id, id)
);
ALTER TABLE edge_enrollment_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE edge_enrollment_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON edge_enrollment_codes
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
GRANT SELECT, INSERT ON edge_enrollment_codes TO :"app_role";

CREATE TABLE edge_streams (
  edge_id uuid NOT NULL REFERENCES edges (id),
  stream text NOT NULL,
  epoch uuid NOT NULL,
  acked_seq bigint NOT NULL DEFAULT 0,
  org_id uuid NOT NULL,
  plant_id uuid NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (edge_id, stream)
);
ALTER TABLE edge_streams ENABLE ROW LEVEL SECURITY;
ALTER TABLE edge_streams FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON edge_streams
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON edge_streams TO :"app_role";

-- ts is part of the key so the table can become a TimescaleDB hypertable partitioned by time.
CREATE TABLE samples (
  id uuid NOT NULL,
  org_id uuid NOT NULL,
  plant_id uuid NOT NULL,
  machine_id uuid NOT NULL,
  edge_id uuid NOT NULL,
  seq bigint NOT NULL,
  tag text NOT NULL,
  ts timestamptz NOT NULL,
  value_num double precision,
  value_text text,
  value_bool boolean,
  quality text NOT NULL CHECK (quality IN ('good', 'uncertain', 'bad')),
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, ts)
);
CREATE INDEX samples_machine_tag_ts ON samples (machine_id, tag, ts DESC);
ALTER TABLE samples ENABLE ROW LEVEL SECURITY;
ALTER TABLE samples FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON samples
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
GRANT SELECT, INSERT ON samples TO :"app_role";

CREATE TABLE machine_latest (
  machine_id uuid NOT NULL REFERENCES machines (id),
  tag text NOT NULL,
  org_id uuid NOT NULL,
  plant_id uuid NOT NULL,
  value_num double precision,
  value_text text,
  value_bool boolean,
  quality text NOT NULL CHECK (quality IN ('good', 'uncertain', 'bad')),
  ts timestamptz NOT NULL,
  PRIMARY KEY (machine_id, tag)
);
ALTER TABLE machine_latest ENABLE ROW LEVEL SECURITY;
ALTER TABLE machine_latest FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON machine_latest
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON machine_latest TO :"app_role";

CREATE TABLE edge_assertion_jtis (
  edge_id uuid NOT NULL REFERENCES edges (id),
  jti text NOT NULL,
  org_id uuid NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (edge_id, jti)
);
ALTER TABLE edge_assertion_jtis ENABLE ROW LEVEL SECURITY;
ALTER TABLE edge_assertion_jtis FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON edge_assertion_jtis
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
GRANT SELECT, INSERT, DELETE ON edge_assertion_jtis TO :"app_role";

-- Not tenant data: the cloud's own token-signing keys. No grant to the app role.
CREATE TABLE signing_keys (
  kid text PRIMARY KEY,
  private_jwk jsonb NOT NULL,
  public_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz
);
REVOKE ALL ON signing_keys FROM PUBLIC;

-- Lookups needed before the tenant is known. Each returns only what its caller needs.
CREATE FUNCTION auth_find_login(p_email text)
RETURNS TABLE (user_id uuid, org_id uuid, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT u.id, u.org_id, u.password_hash FROM public.users u WHERE u.email = lower(p_email)
$$;

CREATE FUNCTION edges_find_for_assertion(p_edge_id uuid)
RETURNS TABLE (org_id uuid, plant_id uuid, public_key jsonb, revoked_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT e.org_id, e.plant_id, e.public_key, e.revoked_at FROM public.edges e WHERE e.id = p_edge_id
$$;

-- The row lock of the UPDATE makes a code usable once, also under concurrent requests.
CREATE FUNCTION edges_consume_enrollment_code(p_code_hash text)
RETURNS TABLE (org_id uuid, plant_id uuid)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  UPDATE public.edge_enrollment_codes c SET used_at = now()
  WHERE c.code_hash = p_code_hash AND c.used_at IS NULL AND c.expires_at > now()
  RETURNING c.org_id, c.plant_id
$$;

REVOKE EXECUTE ON FUNCTION auth_find_login(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION edges_find_for_assertion(uuid) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION edges_consume_enrollment_code(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_find_login(text) TO :"app_role";
GRANT EXECUTE ON FUNCTION edges_find_for_assertion(uuid) TO :"app_role";
GRANT EXECUTE ON FUNCTION edges_consume_enrollment_code(text) TO :"app_role";
