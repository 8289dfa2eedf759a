import { expect, it } from 'vitest';
import {
  call,
  createModeledOrg,
  createPlanningObjects,
  describeEachBackend,
  ok,
} from '../../../test/helpers.ts';

describeEachBackend('work orders and materials', (cloud) => {
  it('creates, filters, changes and deletes work orders; materials are shared by every plant', async () => {
    const org = await createModeledOrg(cloud());
    const first = await createPlanningObjects(cloud(), org.token, org.first);
    const second = await createPlanningObjects(cloud(), org.token, org.second);

    const inPlant2 = await ok(cloud(), 'GET', `/api/v1/work-orders?plantId=${org.second.plantId}`, org.token);
    expect(inPlant2.items.map((order: { id: string }) => order.id)).toEqual([second.workOrderId]);
    const released = await ok(cloud(), 'PATCH', `/api/v1/work-orders/${first.workOrderId}`, org.token, {
      status: 'released',
      machineId: null,
      dueAt: '2026-01-31T16:00:00.000Z',
    });
    expect(released).toMatchObject({
      status: 'released',
      machineId: null,
      dueAt: '2026-01-31T16:00:00.000Z',
    });
    const byStatus = await ok(cloud(), 'GET', '/api/v1/work-orders?status=released', org.token);
    expect(byStatus.items.map((order: { id: string }) => order.id)).toEqual([first.workOrderId]);

    // The supervisor of plant 1 sees plant 1's orders and every material.
    const asSupervisor = await ok(cloud(), 'GET', '/api/v1/work-orders', org.supervisorToken);
    expect(asSupervisor.items.map((order: { id: string }) => order.id)).toEqual([first.workOrderId]);
    const materials = await ok(cloud(), 'GET', '/api/v1/materials', org.supervisorToken);
    expect(materials.items.map((material: { id: string }) => material.id).sort()).toEqual(
      [first.materialId, second.materialId].sort(),
    );
    const denied = await call(cloud(), 'POST', '/api/v1/materials', {
      token: org.supervisorToken,
      body: { code: 'steel', name: 'Steel', unit: 'kg' },
    });
    expect(denied.status).toBe(403);

    const inUse = await call(cloud(), 'DELETE', `/api/v1/materials/${first.materialId}`, {
      token: org.token,
    });
    expect(inUse.status).toBe(409);
    const gone = await call(cloud(), 'DELETE', `/api/v1/work-orders/${first.workOrderId}`, {
      token: org.token,
    });
    expect(gone.status).toBe(204);
    expect(
      (await call(cloud(), 'GET', `/api/v1/work-orders/${first.workOrderId}`, { token: org.token })).status,
    ).toBe(404);
    expect(
      (await call(cloud(), 'DELETE', `/api/v1/materials/${first.materialId}`, { token: org.token })).status,
    ).toBe(204);
  });

  it('refuses a machine of another plant, an unknown material and a taken number as the failing field', async () => {
    const org = await createModeledOrg(cloud());
    const { materialId, workOrderId } = await createPlanningObjects(cloud(), org.token, org.first);
    const order = { plantId: org.first.plantId, materialId, quantity: 5 };
    const otherPlant = await call(cloud(), 'POST', '/api/v1/work-orders', {
      token: org.token,
      body: { ...order, number: 'WO-x', machineId: org.second.machineId },
    });
    expect(otherPlant.status).toBe(422);
    expect(otherPlant.body.errors).toEqual([expect.objectContaining({ path: 'machineId' })]);
    const unknownMaterial = await call(cloud(), 'PATCH', `/api/v1/work-orders/${workOrderId}`, {
      token: org.token,
      body: { materialId: org.first.machineId },
    });
    expect(unknownMaterial.status).toBe(422);
    expect(unknownMaterial.body.errors).toEqual([expect.objectContaining({ path: 'materialId' })]);
    const existing = await ok(cloud(), 'GET', `/api/v1/work-orders/${workOrderId}`, org.token);
    const taken = await call(cloud(), 'POST', '/api/v1/work-orders', {
      token: org.token,
      body: { ...order, number: existing.number },
    });
    expect(taken.status).toBe(409);
    const zero = await call(cloud(), 'POST', '/api/v1/work-orders', {
      token: org.token,
      body: { ...order, number: 'WO-zero', quantity: 0 },
    });
    expect(zero.status).toBe(422);
  });
});
