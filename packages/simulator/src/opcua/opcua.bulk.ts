import { DataType, type Namespace, type UAObject, type UAVariable } from 'node-opcua';

export interface BulkVariablesOptions {
  /** Variables `s=bulk.<i>` (Double) under `Objects/Bulk`. */
  count: number;
  /** Every variable changes this often; 0 leaves them still. */
  changeIntervalMs: number;
}

/** Many variables that all change on a timer: load for a subscription, as a large plant gives. */
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
  let round = 0;
  const tick = () => {
    round += 1;
    for (let i = 0; i < variables.length; i++) {
      variables[i]?.setValueFromSource({ dataType: DataType.Double, value: round + i / count });
    }
  };
  const timer = changeIntervalMs > 0 ? setInterval(tick, changeIntervalMs) : undefined;
  return () => clearInterval(timer);
}
