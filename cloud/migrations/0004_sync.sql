-- Sync streams: events beside samples, and a quarantine for records that can never be accepted.

-- Which edge database produced a sample; with seq it orders the edge's records.
ALTER TABLE samples ADD COLUMN epoch uuid;

-- Machine state changes, counts, scans, print results, edge alarms: one row per edge event, exactly once.
CREATE TABLE events (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  plant_id uuid NOT NULL,
  edge_id uuid NOT NULL REFERENCES edges (id),
  epoch uuid NOT NULL,
  seq bigint NOT NULL,
  type text NOT NULL,
  machine_id uuid REFERENCES machines (id),
  source text NOT NULL,
  ts timestamptz NOT NULL,
  duration_ms bigint CHECK (duration_ms >= 0),
  payload jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, plant_id) REFERENCES plants (org_id, id)
);
CREATE INDEX events_plant_ts ON events (plant_id, ts DESC);
CREATE INDEX events_machine_ts ON events (machine_id, ts DESC) WHERE machine_id IS NOT NULL;
CREATE INDEX events_edge_seq ON events (edge_id, epoch, seq);
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON events
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid
         AND (current_setting('app.plant_ids', true) = '*'
              OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid
              AND (current_setting('app.plant_ids', true) = '*'
                   OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])));
GRANT SELECT, INSERT ON events TO :"app_role";

-- Records the cloud can never accept (invalid, too large, unstorable), kept with their reason and
-- acknowledged, so one poison record never blocks its stream. `record` is the JSON as sent (text:
-- jsonb refuses some of what poison records carry, such as \u0000).
CREATE TABLE sync_quarantine (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  plant_id uuid NOT NULL,
  edge_id uuid NOT NULL REFERENCES edges (id),
  stream text NOT NULL,
  epoch uuid NOT NULL,
  seq bigint NOT NULL,
  reason text NOT NULL,
  record text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (edge_id, stream, epoch, seq),
  FOREIGN KEY (org_id, plant_id) REFERENCES plants (org_id, id)
);
ALTER TABLE sync_quarantine ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_quarantine FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sync_quarantine
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid
         AND (current_setting('app.plant_ids', true) = '*'
              OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid
              AND (current_setting('app.plant_ids', true) = '*'
                   OR plant_id = ANY ((SELECT nullif(nullif(current_setting('app.plant_ids', true), ''), '*'))::uuid[])));
GRANT SELECT, INSERT ON sync_quarantine TO :"app_role";
