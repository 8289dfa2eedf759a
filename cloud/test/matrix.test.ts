import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { call, createModeledOrg, createPlanningObjects, describeEachBackend, enrollEdge } from './helpers.ts';

// The matrix walks /openapi.json, so a route added later is covered without touching this file;
// a new kind of object only needs its fixture below (the test says which one is missing).

interface Operation {
  method: string;
  path: string;
  security?: Record<string, unknown>[];
  parameters?: { name: string; in: string }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minLength?: number;
  minimum?: number;
  default?: unknown;
}
// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is inspected loosely
type Document = any;

function operations(doc: Document): Operation[] {
  return Object.entries(
    doc.paths as Record<string, Record<string, Omit<Operation, 'method' | 'path'>>>,
  ).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ ...operation, method, path })),
  );
}

/** Tenant routes: the ones a user token opens. */
const tenantOperations = (doc: Document) =>
  operations(doc).filter((op) => op.security?.some((scheme) => 'userToken' in scheme));

/** The collection a path parameter points into: `{id}` after `plants`, or `{plantId}`. */
function collectionOf(path: string, param: string): string {
  if (param !== 'id') return `${param.replace(/Id$/, '')}s`;
  const segments = path.split('/');
  return segments[segments.indexOf('{id}') - 1]!;
}

/** A minimal body the schema accepts, so requests get past validation to the object lookup. */
function sampleOf(schema: JsonSchema | undefined, doc: Document): unknown {
  if (!schema) return undefined;
  if (schema.$ref) return sampleOf(doc.components.schemas[schema.$ref.split('/').at(-1)!], doc);
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return sampleOf(schema.anyOf[0], doc);
  if (schema.oneOf) return sampleOf(schema.oneOf[0], doc);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(
        (schema.required ?? []).map((key) => [key, sampleOf(schema.properties?.[key], doc)]),
      );
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'uuid') return randomUUID();
      if (schema.format === 'email') return `matrix-${randomUUID()}@example.com`;
      if (schema.format === 'date-time') return new Date().toISOString();
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    default:
      return null;
  }
}

describeEachBackend('cross-tenant matrix', (cloud) => {
  let doc: Document;
  let a: Awaited<ReturnType<typeof createModeledOrg>>;
  let b: Awaited<ReturnType<typeof createModeledOrg>>;
  /** Objects of A by collection: the ones in plant 1, then the ones in plant 2. */
  let objectsOfA: Record<string, string>;
  let plant2Objects: Record<string, string>;

  beforeAll(async () => {
    doc = (await call(cloud(), 'GET', '/openapi.json')).body;
    a = await createModeledOrg(cloud());
    b = await createModeledOrg(cloud());
    const edge1 = await enrollEdge(cloud(), { organizationId: a.organizationId, plantId: a.first.plantId });
    const edge2 = await enrollEdge(cloud(), { organizationId: a.organizationId, plantId: a.second.plantId });
    const planning1 = await createPlanningObjects(cloud(), a.token, a.first);
    const planning2 = await createPlanningObjects(cloud(), a.token, a.second);
    objectsOfA = {
      organizations: a.organizationId,
      plants: a.first.plantId,
      areas: a.first.areaId,
      lines: a.first.lineId,
      machines: a.first.machineId,
      users: a.supervisor.id,
      roles: a.roleId,
      'platform-grants': a.grantId,
      edges: edge1.edgeId,
      materials: planning1.materialId,
      'machine-tags': planning1.tagId,
      'work-orders': planning1.workOrderId,
      'label-templates': planning1.templateId,
    };
    plant2Objects = {
      plants: a.second.plantId,
      areas: a.second.areaId,
      lines: a.second.lineId,
      machines: a.second.machineId,
      edges: edge2.edgeId,
      'machine-tags': planning2.tagId,
      'work-orders': planning2.workOrderId,
      'label-templates': planning2.templateId,
    };
  });

  const fill = (op: Operation, objects: Record<string, string>) =>
    op.path.replace(/\{(\w+)\}/g, (_, param: string) => {
      const id = objects[collectionOf(op.path, param)];
      if (!id) throw new Error(`no fixture for ${collectionOf(op.path, param)} (${op.method} ${op.path})`);
      return id;
    });
  const request = (op: Operation, path: string, token: string) =>
    call(cloud(), op.method.toUpperCase(), path, {
      token,
      body: sampleOf(op.requestBody?.content?.['application/json']?.schema, doc),
    });
  const objectRoutes = () => tenantOperations(doc).filter((op) => op.path.includes('{'));
  const listRoutes = () =>
    tenantOperations(doc).filter((op) => op.method === 'get' && !op.path.includes('{'));

  it("answers org B's admin 404 for every route on A's objects, and changes nothing", async () => {
    expect(objectRoutes().length).toBeGreaterThan(10);
    const answers = [];
    for (const op of objectRoutes()) {
      const response = await request(op, fill(op, objectsOfA), b.token);
      answers.push({ route: `${op.method} ${op.path}`, status: response.status });
    }
    expect(answers).toEqual(answers.map(({ route }) => ({ route, status: 404 })));
    for (const op of objectRoutes().filter((route) => route.method === 'get')) {
      const response = await call(cloud(), 'GET', fill(op, objectsOfA), { token: a.token });
      expect({ route: op.path, status: response.status }).toEqual({ route: op.path, status: 200 });
    }
  });

  it("lists none of A's rows to org B on any list route", async () => {
    expect(listRoutes().length).toBeGreaterThan(5);
    const idsOfA = [...Object.values(objectsOfA), ...Object.values(plant2Objects)];
    for (const op of listRoutes()) {
      const asB = await call(cloud(), 'GET', op.path, { token: b.token });
      expect({ route: op.path, status: asB.status }).toEqual({ route: op.path, status: 200 });
      const text = JSON.stringify(asB.body);
      expect(
        idsOfA.filter((id) => text.includes(id)),
        op.path,
      ).toEqual([]);
    }
    const asA = JSON.stringify((await call(cloud(), 'GET', '/api/v1/machines', { token: a.token })).body);
    expect(asA).toContain(a.second.machineId);
  });

  it("answers a user confined to plant 1 403 or 404 for plant 2's objects, and lists none of them", async () => {
    const plantRoutes = objectRoutes().filter(
      (op) => collectionOf(op.path, op.path.match(/\{(\w+)\}/)![1]!) in plant2Objects,
    );
    expect(plantRoutes.length).toBeGreaterThan(5);
    for (const op of plantRoutes) {
      const response = await request(op, fill(op, plant2Objects), a.supervisorToken);
      expect([403, 404], `${op.method} ${op.path} answered ${response.status}`).toContain(response.status);
    }
    for (const op of listRoutes()) {
      const response = await call(cloud(), 'GET', op.path, { token: a.supervisorToken });
      const text = JSON.stringify(response.body);
      expect(
        Object.values(plant2Objects).filter((id) => text.includes(id)),
        op.path,
      ).toEqual([]);
    }
    const own = await call(cloud(), 'GET', '/api/v1/machines', { token: a.supervisorToken });
    expect(own.body.items.map((machine: { id: string }) => machine.id)).toEqual([a.first.machineId]);
  });
});
