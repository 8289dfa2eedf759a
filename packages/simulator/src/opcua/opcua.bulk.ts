import { DataType, type Namespace, type UAObject, type UAVariable } from 'node-opcua';

export interface BulkVariablesOptions {
  /** Variables `s=bulk.<i>` (Double) under `Objects/Bulk`. */
  count: number;
  /** Every variable changes this often; 0 leaves them still. */
  changeIntervalMs: number;
}

/**
 * Many variables that all change on a timer: load for a subscription, as a large plant gives.
 * Round n sets variable i to `n + i / count`, so a client can tell which round a value came from.
 */
export function addBulkVariables(
  namespace: Namespace,
  objects: UAObject,
  { count, changeIntervalMs }: BulkVariablesOptions,
): () => void {
  const folder = namespace.addFolder(objects, { browseName: 'Bulk', nodeId: 's=Bulk' });
  const variables: UAVariable[] = [];
  for (let i = 0; i < count; i++) {
    variables.push(
      namespace.addVariable({
        componentOf: folder,
        browseName: `Bulk${i}`,
        nodeId: `s=bulk.${i}`,
        dataType: 'Double',
        minimumSamplingInterval: 0,
        value: { dataType: DataType.Double, value: 0 },
      }),
    );
  }
  if (changeIntervalMs <= 0) return () => {};
  // Each round is due at a fixed time from the start, so a slow round delays the next one but
  // never shifts the ones after it: the rate over a run is exactly one round per interval.
  const startedMs = performance.now();
  let round = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    round += 1;
    for (let i = 0; i < variables.length; i++) {
      variables[i]?.setValueFromSource({ dataType: DataType.Double, value: round + i / count });
    }
    timer = setTimeout(tick, Math.max(0, startedMs + (round + 1) * changeIntervalMs - performance.now()));
  };
  timer = setTimeout(tick, changeIntervalMs);
  return () => clearTimeout(timer);
}
