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
  if (status.cloud.clockSkewMs !== undefined) {
    metric('unison_edge_clock_skew_seconds', 'gauge', "Edge clock minus the cloud's (positive: ahead).", [
      ['', status.cloud.clockSkewMs / 1000],
    ]);
  }
  metric(
    'unison_edge_clock_skew_alarm',
    'gauge',
    "1 while the edge clock is off the cloud's past the threshold.",
    [['', status.cloud.clockSkewAlarm ? 1 : 0]],
  );
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
  if (status.streams) {
    const streams = Object.entries(status.streams);
    const perStream = (
      name: string,
      type: string,
      help: string,
      pick: (s: (typeof streams)[number][1]) => number,
    ) =>
      metric(
        name,
        type,
        help,
        streams.map(([stream, s]) => [`{stream="${escapeLabel(stream)}"}`, pick(s)]),
      );
    perStream('unison_edge_stream_backlog_rows', 'gauge', 'Records waiting for the cloud.', (s) => s.backlog);
    perStream(
      'unison_edge_stream_backlog_bytes',
      'gauge',
      'JSON bytes waiting for the cloud.',
      (s) => s.bytes,
    );
    perStream(
      'unison_edge_stream_oldest_age_seconds',
      'gauge',
      'Age of the oldest waiting record.',
      (s) => (s.oldestAgeMs ?? 0) / 1000,
    );
    perStream(
      'unison_edge_stream_acked_seq',
      'gauge',
      'Highest seq the cloud acknowledged.',
      (s) => s.ackedSeq,
    );
    perStream(
      'unison_edge_stream_uploaded_total',
      'counter',
      'Records the cloud acknowledged since start.',
      (s) => s.uploaded,
    );
    perStream(
      'unison_edge_stream_dropped_total',
      'counter',
      'Records dropped unsent to stay within the buffer budget.',
      (s) => s.dropped,
    );
    perStream(
      'unison_edge_stream_quarantined_total',
      'counter',
      'Records the cloud quarantined since start.',
      (s) => s.quarantined,
    );
  }
  if (status.buffer) {
    metric('unison_edge_buffer_budget_bytes', 'gauge', 'Byte budget of the local buffer.', [
      ['', status.buffer.budgetBytes],
    ]);
    metric('unison_edge_buffer_used_bytes', 'gauge', 'Bytes the local buffer holds.', [
      ['', status.buffer.usedBytes],
    ]);
    metric('unison_edge_buffer_alarm', 'gauge', '1 while samples are dropped or events exceed the budget.', [
      ['', status.buffer.samplesDropping || status.buffer.eventsOverBudget ? 1 : 0],
    ]);
  }
  if (status.downlink) {
    const { downlink } = status;
    metric('unison_edge_downlink_up', 'gauge', '1 when the last exchange of the change feed succeeded.', [
      ['', downlink.state === 'ok' ? 1 : 0],
    ]);
    metric('unison_edge_downlink_version', 'gauge', 'Highest change version applied to the replica.', [
      ['', downlink.version],
    ]);
    metric(
      'unison_edge_downlink_rows',
      'gauge',
      'Rows the replica holds per entity.',
      Object.entries(downlink.rows).map(([entity, rows]) => [`{entity="${escapeLabel(entity)}"}`, rows]),
    );
    metric('unison_edge_downlink_last_sync_age_seconds', 'gauge', 'Time since a page was last applied.', [
      ['', downlink.lastSyncAgeMs === null ? -1 : downlink.lastSyncAgeMs / 1000],
    ]);
    metric('unison_edge_downlink_skipped_total', 'counter', 'Changes refused by the contract and skipped.', [
      ['', downlink.skippedRows],
    ]);
    metric('unison_edge_downlink_errors_total', 'counter', 'Change-feed requests and pages that failed.', [
      ['', downlink.errors],
    ]);
  }
  return `${lines.join('\n')}\n`;
}
