-- Idempotent enrollment: a code remembers the edge it enrolled, so an edge that never received the
-- answer (connection cut after the commit) can ask again with the same key and get the same edge.

-- Deferred: the code is redeemed first (that tells the tenant), the edge row follows in the same transaction.
ALTER TABLE edge_enrollment_codes
  ADD COLUMN edge_id uuid REFERENCES edges (id) DEFERRABLE INITIALLY DEFERRED;

-- Redeems an unused, unexpired code for a new edge id (replayed = false), or answers the edge the code
-- enrolled before when the same public key asks again and that edge is not revoked (replayed = true).
-- Any other key, and an unknown code, get no row. The row lock of the UPDATE makes a code usable once;
-- a concurrent repeat waits for it, then finds the committed enrollment.
CREATE FUNCTION edges_redeem_enrollment_code(p_code_hash text, p_edge_id uuid, p_public_key jsonb)
RETURNS TABLE (org_id uuid, plant_id uuid, edge_id uuid, replayed boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
    UPDATE public.edge_enrollment_codes c SET used_at = now(), edge_id = p_edge_id
    WHERE c.code_hash = p_code_hash AND c.used_at IS NULL AND c.expires_at > now()
    RETURNING c.org_id, c.plant_id, c.edge_id, false;
  IF FOUND THEN
    RETURN;
  END IF;
  RETURN QUERY
    SELECT c.org_id, c.plant_id, c.edge_id, true
    FROM public.edge_enrollment_codes c JOIN public.edges e ON e.id = c.edge_id
    WHERE c.code_hash = p_code_hash AND e.public_key = p_public_key AND e.revoked_at IS NULL;
END
$$;

REVOKE EXECUTE ON FUNCTION edges_redeem_enrollment_code(text, uuid, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION edges_redeem_enrollment_code(text, uuid, jsonb) TO :"app_role";

-- Superseded by edges_redeem_enrollment_code.
DROP FUNCTION edges_consume_enrollment_code(text);
