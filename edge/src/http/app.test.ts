import { describe, expect, it } from 'vitest';
import type { EdgeStatus } from '../status.ts';
import { createHttpApp } from './app.ts';

const status: EdgeStatus = {
  edge: { name: 'edge-1', plant: 'p1', epoch: '0190a0a0-0000-7000-8000-000000000000' },
  samples: { recorded: 12, uploaded: 10, backlog: 2 },
  cloud: { status: 'ok' },
  connectors: [
    { id: 'presses', type: 'opcua', status: 'connected' },
    { id: 'fillers', type: 'mqtt', status: 'disconnected', rejected: 3 },
  ],
};

describe('edge http', () => {
  const app = createHttpApp({ status: () => status });

  it('answers health and status', async () => {
    expect(await (await app.request('/health')).json()).toEqual({ status: 'ok' });
    expect(await (await app.request('/api/status')).json()).toEqual(status);
  });

  it('exposes the counters to Prometheus', async () => {
    const response = await app.request('/metrics');
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('unison_edge_samples_recorded_total 12');
    expect(text).toContain('unison_edge_samples_uploaded_total 10');
    expect(text).toContain('unison_edge_outbox_backlog 2');
    expect(text).toContain('unison_edge_connector_up{connector="presses",type="opcua"} 1');
    expect(text).toContain('unison_edge_connector_up{connector="fillers",type="mqtt"} 0');
    expect(text).toContain('unison_edge_connector_rejected_total{connector="fillers"} 3');
  });

  it('exposes the downlink: version, replica rows per entity, sync age and errors', async () => {
    const rows = {
      machine: 4,
      machine_tag: 0,
      material: 2,
      work_order: 0,
      label_template: 0,
      role: 1,
      user: 3,
      signing_key: 1,
    };
    const withDownlink: EdgeStatus = {
      ...status,
      downlink: {
        state: 'ok',
        version: 42,
        snapshot: { active: false, rows: 11 },
        rows,
        lastSyncAgeMs: 1500,
        skippedRows: 1,
        errors: 2,
      },
    };
    const text = await (await createHttpApp({ status: () => withDownlink }).request('/metrics')).text();
    expect(text).toContain('unison_edge_downlink_up 1');
    expect(text).toContain('unison_edge_downlink_version 42');
    expect(text).toContain('unison_edge_downlink_rows{entity="user"} 3');
    expect(text).toContain('unison_edge_downlink_last_sync_age_seconds 1.5');
    expect(text).toContain('unison_edge_downlink_skipped_total 1');
    expect(text).toContain('unison_edge_downlink_errors_total 2');
  });
});
