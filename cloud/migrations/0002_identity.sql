-- Identity: signing-key rollover, rotating refresh tokens, login throttling, expired-jti cleanup.

-- A key signs from activated_at until it is retired; verifiers keep accepting it for the rollover
-- window after retired_at, so tokens it signed just before a rotation live out their lifetime.
ALTER TABLE signing_keys ADD COLUMN activated_at timestamptz;
UPDATE signing_keys SET activated_at = created_at;
ALTER TABLE signing_keys ALTER COLUMN activated_at SET NOT NULL;
ALTER TABLE signing_keys ALTER COLUMN activated_at SET DEFAULT now();

-- Opaque refresh tokens, stored as SHA-256 hashes. Each use replaces the token with a new one of the
-- same family; showing a used token again revokes the whole family.
CREATE TABLE refresh_tokens (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  user_id uuid NOT NULL,
  family_id uuid NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  revoked_at timestamptz,
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  FOREIGN KEY (org_id) REFERENCES organizations (id)
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);
ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON refresh_tokens
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON refresh_tokens TO :"app_role";

-- Not tenant data: failed-login counters per account (email) and per client address, shared by every
-- cloud process. No grant to the app role; only the functions below touch it.
CREATE TABLE login_throttle (
  scope text NOT NULL CHECK (scope IN ('account', 'address')),
  key text NOT NULL,
  failures integer NOT NULL,
  window_started_at timestamptz NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX login_throttle_window ON login_throttle (window_started_at);
REVOKE ALL ON login_throttle FROM PUBLIC;

-- Admits a login attempt and counts it as a failure in advance (so concurrent guesses cannot slip
-- past the limit), or returns the seconds to wait without counting anything. 0 means admitted.
CREATE FUNCTION auth_login_admit(
  p_account text, p_address text, p_account_limit integer, p_address_limit integer, p_window_ms integer
) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_window interval := make_interval(secs => p_window_ms / 1000.0);
  v_wait numeric;
BEGIN
  -- Always account before address, so two attempts never wait on each other's locks in a cycle.
  PERFORM pg_advisory_xact_lock(hashtextextended('login account ' || p_account, 0));
  PERFORM pg_advisory_xact_lock(hashtextextended('login address ' || p_address, 0));
  SELECT max(extract(epoch FROM t.window_started_at + v_window - clock_timestamp())) INTO v_wait
  FROM public.login_throttle t
  WHERE t.window_started_at + v_window > clock_timestamp()
    AND ((t.scope = 'account' AND t.key = p_account AND t.failures >= p_account_limit)
      OR (t.scope = 'address' AND t.key = p_address AND t.failures >= p_address_limit));
  IF v_wait IS NOT NULL THEN
    RETURN greatest(1, ceil(v_wait))::integer;
  END IF;
  INSERT INTO public.login_throttle AS t (scope, key, failures, window_started_at)
  VALUES ('account', p_account, 1, clock_timestamp()), ('address', p_address, 1, clock_timestamp())
  ON CONFLICT (scope, key) DO UPDATE SET
    failures = CASE WHEN t.window_started_at + v_window <= clock_timestamp() THEN 1 ELSE t.failures + 1 END,
    window_started_at = CASE WHEN t.window_started_at + v_window <= clock_timestamp()
                             THEN clock_timestamp() ELSE t.window_started_at END;
  DELETE FROM public.login_throttle t WHERE t.window_started_at < clock_timestamp() - v_window;
  RETURN 0;
END
$$;

-- A correct password: the account starts afresh and the address gets its admitted attempt back.
CREATE FUNCTION auth_login_succeeded(p_account text, p_address text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  DELETE FROM public.login_throttle WHERE scope = 'account' AND key = p_account;
  UPDATE public.login_throttle SET failures = greatest(failures - 1, 0)
  WHERE scope = 'address' AND key = p_address;
$$;

CREATE FUNCTION auth_find_refresh_token(p_token_hash text)
RETURNS TABLE (id uuid, org_id uuid, user_id uuid, family_id uuid, expires_at timestamptz,
               used_at timestamptz, revoked_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT r.id, r.org_id, r.user_id, r.family_id, r.expires_at, r.used_at, r.revoked_at
  FROM public.refresh_tokens r WHERE r.token_hash = p_token_hash
$$;

-- Assertion ids are only needed until their assertion expires; this clears them for every tenant.
CREATE INDEX edge_assertion_jtis_expires ON edge_assertion_jtis (expires_at);
CREATE FUNCTION edges_purge_expired_jtis() RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  WITH purged AS (DELETE FROM public.edge_assertion_jtis WHERE expires_at < now() RETURNING 1)
  SELECT count(*)::integer FROM purged
$$;

REVOKE EXECUTE ON FUNCTION auth_login_admit(text, text, integer, integer, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION auth_login_succeeded(text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION auth_find_refresh_token(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION edges_purge_expired_jtis() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_login_admit(text, text, integer, integer, integer) TO :"app_role";
GRANT EXECUTE ON FUNCTION auth_login_succeeded(text, text) TO :"app_role";
GRANT EXECUTE ON FUNCTION auth_find_refresh_token(text) TO :"app_role";
GRANT EXECUTE ON FUNCTION edges_purge_expired_jtis() TO :"app_role";
