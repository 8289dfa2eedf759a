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
});
