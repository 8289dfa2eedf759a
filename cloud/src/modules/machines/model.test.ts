import { expect, it } from 'vitest';
import { call, createModeledOrg, describeEachBackend, ok } from '../../../test/helpers.ts';

describeEachBackend('areas, lines and machines', (cloud) => {
  it('places machines on lines and filters them by plant, line and code', async () => {
    const org = await createModeledOrg(cloud());
    const byLine = await ok(cloud(), 'GET', `/api/v1/machines?lineId=${org.first.lineId}`, org.token);
    expect(byLine.items.map((m: { id: string }) => m.id)).toEqual([org.first.machineId]);
    expect(byLine.items[0]).toMatchObject({
      lineId: org.first.lineId,
      plantId: org.first.plantId,
      latest: [],
    });
    const byPlant = await ok(cloud(), 'GET', `/api/v1/machines?plantId=${org.second.plantId}`, org.token);
    expect(byPlant.items.map((m: { code: string }) => m.code)).toEqual(['m-2']);
    const lines = await ok(cloud(), 'GET', `/api/v1/lines?areaId=${org.second.areaId}`, org.token);
    expect(lines.items).toEqual([
      expect.objectContaining({ id: org.second.lineId, plantId: org.second.plantId }),
    ]);

    const moved = await ok(cloud(), 'PATCH', `/api/v1/machines/${org.first.machineId}`, org.token, {
      lineId: null,
    });
    expect(moved.lineId).toBeNull();
    const wrongPlant = await call(cloud(), 'PATCH', `/api/v1/machines/${org.first.machineId}`, {
      token: org.token,
      body: { lineId: org.second.lineId },
    });
    expect(wrongPlant.status).toBe(422);
    expect(wrongPlant.body.errors[0].path).toBe('lineId');
  });

  it('pages machines by code with an opaque cursor', async () => {
    const org = await createModeledOrg(cloud());
    for (const code of ['c', 'a', 'b']) {
      await ok(cloud(), 'POST', '/api/v1/machines', org.token, { plantId: org.plantId, code, name: code });
    }
    const first = await ok(cloud(), 'GET', '/api/v1/machines?limit=2', org.token);
    expect(first.items.map((m: { code: string }) => m.code)).toEqual(['a', 'b']);
    const rest = await ok(cloud(), 'GET', `/api/v1/machines?limit=50&cursor=${first.nextCursor}`, org.token);
    expect(rest.items.map((m: { code: string }) => m.code)).toEqual(['c', 'm-1', 'm-2']);
    expect(rest.nextCursor).toBeNull();
  });

  it('refuses a parent the caller cannot see, and a duplicate code in the same area', async () => {
    const org = await createModeledOrg(cloud());
    const hidden = await call(cloud(), 'POST', '/api/v1/areas', {
      token: org.supervisorToken,
      body: { plantId: org.second.plantId, code: 'x', name: 'x' },
    });
    expect(hidden.status).toBe(422);
    expect(hidden.body.errors[0].path).toBe('plantId');
    const duplicate = await call(cloud(), 'POST', '/api/v1/lines', {
      token: org.token,
      body: { areaId: org.first.areaId, code: 'l-1', name: 'again' },
    });
    expect(duplicate.status).toBe(409);
    const ownPlant = await call(cloud(), 'POST', '/api/v1/areas', {
      token: org.supervisorToken,
      body: { plantId: org.first.plantId, code: 'x', name: 'x' },
    });
    expect(ownPlant.status).toBe(201);
    const newPlant = await call(cloud(), 'POST', '/api/v1/plants', {
      token: org.supervisorToken,
      body: { code: 'x', name: 'x' },
    });
    expect(newPlant.status).toBe(403);
  });
});
