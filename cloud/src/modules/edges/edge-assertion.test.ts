import { expect, it } from 'vitest';
import {
  batchOf,
  call,
  createOrgWithToken,
  describeEachBackend,
  enrollEdge,
  makeRecords,
  newEdgeKey,
  SAMPLES,
  signAssertion,
  type TestEdge,
  upload,
} from '../../../test/helpers.ts';

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describeEachBackend('edge assertions', (cloud) => {
  let edge: TestEdge;
  let seq = 0;
  const nextBatch = () => {
    seq += 1;
    return batchOf(edge.edgeId, makeRecords(seq, seq));
  };
  const send = (token: string) => call(cloud(), 'POST', '/api/v1/sync/upload', { body: nextBatch(), token });

  it('accepts a valid assertion and takes the tenant from the edge', async () => {
    const org = await createOrgWithToken(cloud());
    edge = await enrollEdge(cloud(), org);
    const response = await upload(cloud(), edge, nextBatch());
    expect(response.status).toBe(200);
    const [row] = await cloud().queryAsTenant(
      org.organizationId,
      `select org_id, plant_id, edge_id from ${SAMPLES}`,
    );
    expect(row).toEqual({ org_id: org.organizationId, plant_id: org.plantId, edge_id: edge.edgeId });
  });

  it('refuses a reused jti', async () => {
    const token = await signAssertion(edge);
    expect((await send(token)).status).toBe(200);
    const replay = await send(token);
    expect(replay.status).toBe(401);
    expect(replay.body.detail).toBe('assertion replayed');
    seq -= 1;
  });

  it('refuses a wrong audience, an expired one, a too long one and a foreign key', async () => {
    const foreign = await newEdgeKey();
    const bad = [
      await signAssertion(edge, { audience: 'someone-else' }),
      await signAssertion(edge, { issuedAtOffsetSeconds: -600, lifetimeSeconds: 60 }),
      await signAssertion(edge, { lifetimeSeconds: 3600 }),
      await signAssertion(edge, { signingKey: foreign.privateKey }),
    ];
    for (const token of bad) {
      expect((await send(token)).status).toBe(401);
      seq -= 1;
    }
  });

  it('refuses an unsigned (alg none) assertion and a tampered one', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: edge.edgeId,
      sub: edge.edgeId,
      aud: 'unison-cloud/edge',
      iat: now,
      exp: now + 60,
      jti: 'x',
    };
    const unsigned = `${base64url({ alg: 'none', kid: edge.edgeId })}.${base64url(claims)}.`;
    expect((await send(unsigned)).status).toBe(401);
    seq -= 1;
    const [header, , signature] = (await signAssertion(edge)).split('.');
    const tampered = `${header}.${base64url({ ...claims, jti: 'y' })}.${signature}`;
    expect((await send(tampered)).status).toBe(401);
    seq -= 1;
  });

  it('refuses a missing assertion and a user token', async () => {
    const org = await createOrgWithToken(cloud());
    expect((await call(cloud(), 'POST', '/api/v1/sync/upload', { body: nextBatch() })).status).toBe(401);
    seq -= 1;
    expect((await send(org.token)).status).toBe(401);
    seq -= 1;
  });

  it('refuses a revoked edge', async () => {
    await cloud().queryAsTenant(edge.organizationId, 'update edges set revoked_at = now() where id = $1', [
      edge.edgeId,
    ]);
    expect((await upload(cloud(), edge, nextBatch())).status).toBe(401);
  });
});
