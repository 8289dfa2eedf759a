import {
  AttributeIds,
  type BrowseDescriptionOptions,
  BrowseDirection,
  type ClientSession,
  NodeClass,
  type ReferenceDescription,
} from 'node-opcua-client';

export interface BrowsedVariable {
  /** Namespace-URI form, stable across server restarts: `nsu=urn:vendor:plc;s=Press1.Speed`. */
  nodeId: string;
  /** Browse names from below Objects to the variable. */
  path: string[];
}

export interface BrowseOptions {
  /** Levels below Objects to descend; variables deeper than this are not listed. */
  maxDepth?: number;
  maxVariables?: number;
}

const OBJECTS_FOLDER = 'ns=0;i=85';
const NODES_PER_REQUEST = 500;

/** `ns=2;s=X` → `nsu=<uri>;s=X`; undefined for the OPC UA namespace (the server's own nodes). */
function toNamespaceUriForm(nodeId: string, namespaces: readonly string[]): string | undefined {
  const match = /^ns=(\d+);(.+)$/.exec(nodeId);
  if (!match) return undefined;
  const uri = namespaces[Number(match[1])];
  return uri === undefined ? undefined : `nsu=${uri};${match[2]}`;
}

async function browseChildren(session: ClientSession, nodeIds: string[]): Promise<ReferenceDescription[][]> {
  const results: ReferenceDescription[][] = [];
  for (let start = 0; start < nodeIds.length; start += NODES_PER_REQUEST) {
    const descriptions: BrowseDescriptionOptions[] = nodeIds
      .slice(start, start + NODES_PER_REQUEST)
      .map((nodeId) => ({
        nodeId,
        browseDirection: BrowseDirection.Forward,
        referenceTypeId: 'HierarchicalReferences',
        includeSubtypes: true,
        nodeClassMask: NodeClass.Object | NodeClass.Variable,
        resultMask: 0x3f,
      }));
    for (const result of await session.browse(descriptions)) {
      const references = [...(result.references ?? [])];
      let continuationPoint = result.continuationPoint;
      while (continuationPoint && continuationPoint.length > 0) {
        const next = await session.browseNext(continuationPoint, false);
        references.push(...(next.references ?? []));
        continuationPoint = next.continuationPoint;
      }
      results.push(references);
    }
  }
  return results;
}

/** The variables under Objects, outside the OPC UA namespace, level by level down to `maxDepth`. */
export async function browseVariables(
  session: ClientSession,
  { maxDepth = 6, maxVariables = 50_000 }: BrowseOptions = {},
): Promise<BrowsedVariable[]> {
  const namespaceArray = await session.read({ nodeId: 'ns=0;i=2255', attributeId: AttributeIds.Value });
  const namespaces = (namespaceArray.value.value ?? []) as string[];
  const variables: BrowsedVariable[] = [];
  const seen = new Set<string>([OBJECTS_FOLDER]);
  let level: { nodeId: string; path: string[] }[] = [{ nodeId: OBJECTS_FOLDER, path: [] }];
  for (let depth = 1; depth <= maxDepth && level.length > 0; depth++) {
    const children = await browseChildren(
      session,
      level.map(({ nodeId }) => nodeId),
    );
    const nextLevel: typeof level = [];
    level.forEach((parent, i) => {
      for (const reference of children[i] ?? []) {
        const nodeId = reference.nodeId.toString();
        if (seen.has(nodeId) || reference.nodeId.namespace === 0) continue;
        seen.add(nodeId);
        const path = [...parent.path, reference.browseName.name ?? nodeId];
        if (reference.nodeClass === NodeClass.Object) nextLevel.push({ nodeId, path });
        if (reference.nodeClass !== NodeClass.Variable) continue;
        const stableId = toNamespaceUriForm(nodeId, namespaces);
        if (stableId && variables.length < maxVariables) variables.push({ nodeId: stableId, path });
      }
    });
    level = nextLevel;
  }
  return variables;
}
