import { expect, it } from 'vitest';
import { call, createModeledOrg, describeEachBackend, ok } from '../../../test/helpers.ts';

describeEachBackend('machine tags', (cloud) => {
  it("takes the machine's plant, refuses limits the wrong way round, and goes with its machine", async () => {
    const org = await createModeledOrg(cloud());
    const tag = await ok(cloud(), 'POST', '/api/v1/machine-tags', org.token, {
      machineId: org.second.machineId,
      tag: 'spindle.speed',
      description: 'Spindle speed',
      unit: 'rpm',
      low: 0,
      high: 12000,
    });
    expect(tag).toMatchObject({ plantId: org.second.plantId, machineId: org.second.machineId, unit: 'rpm' });
    const byMachine = await ok(
      cloud(),
      'GET',
      `/api/v1/machine-tags?machineId=${org.second.machineId}`,
      org.token,
    );
    expect(byMachine.items.map((item: { id: string }) => item.id)).toEqual([tag.id]);
    const reversed = await call(cloud(), 'PATCH', `/api/v1/machine-tags/${tag.id}`, {
      token: org.token,
      body: { low: 20000 },
    });
    expect(reversed.status).toBe(422);
    const unknown = await call(cloud(), 'POST', '/api/v1/machine-tags', {
      token: org.token,
      body: { machineId: org.second.areaId, tag: 'x' },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ path: 'machineId' })]);

    await ok(cloud(), 'DELETE', `/api/v1/machines/${org.second.machineId}`, org.token);
    expect((await call(cloud(), 'GET', `/api/v1/machine-tags/${tag.id}`, { token: org.token })).status).toBe(
      404,
    );
  });
});
