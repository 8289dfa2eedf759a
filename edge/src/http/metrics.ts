import type { EdgeStatus } from '../status.ts';

const escapeLabel = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** The status counters in Prometheus text exposition format. */
export function toPrometheus(status: EdgeStatus): string {
  const lines: string[] = [];
  const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  metric('unison_edge_samples_recorded_total', 'counter', 'Samples written to the local store since start.', [
    ['', status.samples.recorded],
  ]);
  metric('unison_edge_samples_uploaded_total', 'counter', 'Samples the cloud acknowledged since start.', [
    ['', status.samples.uploaded],
  ]);
  metric('unison_edge_outbox_backlog', 'gauge', 'Records waiting in the outbox for the cloud.', [
    ['', status.samples.backlog],
  ]);
  metric('unison_edge_cloud_up', 'gauge', '1 when the last exchange with the cloud succeeded.', [
    ['', status.cloud.status === 'ok' ? 1 : 0],
  ]);
  metric(
    'unison_edge_connector_up',
    'gauge',
    '1 when the connector is connected to its machine or broker.',
    status.connectors.map((c) => [
      `{connector="${escapeLabel(c.id)}",type="${escapeLabel(c.type)}"}`,
      c.status === 'connected' ? 1 : 0,
    ]),
  );
  metric(
    'unison_edge_connector_rejected_total',
    'counter',
    'Messages a connector refused as malformed.',
    status.connectors.map((c) => [`{connector="${escapeLabel(c.id)}"}`, c.rejected ?? 0]),
  );
  return `${lines.join('\n')}\n`;
}
