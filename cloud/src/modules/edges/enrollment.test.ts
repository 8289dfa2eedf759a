import type { JWK } from 'jose';
import { expect, it } from 'vitest';
import { call, createOrgWithToken, describeEachBackend, newEdgeKey } from '../../../test/helpers.ts';

describeEachBackend('edge enrollment', (cloud) => {
  const enrollWith = (code: string, publicKey: JWK) =>
    call(cloud(), 'POST', '/api/v1/edges/enroll', { body: { code, name: 'edge-1', publicKey } });
  const enroll = async (code: string) => enrollWith(code, (await newEdgeKey()).publicJwk);
  const edgeCount = async (organizationId: string) =>
    (await cloud().queryAsTenant(organizationId, 'select count(*)::int as count from edges'))[0]?.count;

  it("enrolls an edge into the code's plant once; the second use is refused", async () => {
    const org = await createOrgWithToken(cloud());
    const created = await call(cloud(), 'POST', `/api/v1/plants/${org.plantId}/enrollment-codes`, {
      token: org.token,
    });
    expect(created.status).toBe(201);
    expect(Date.parse(created.body.expiresAt) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
    const first = await enroll(created.body.code);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ organizationId: org.organizationId, plantId: org.plantId });
    const second = await enroll(created.body.code);
    expect(second.status).toBe(403);
  });

  it('lets exactly one of two concurrent requests use a code', async () => {
    const org = await createOrgWithToken(cloud());
    const { code } = await cloud().admin.createEnrollmentCode(org);
    const statuses = (await Promise.all([enroll(code), enroll(code)])).map((response) => response.status);
    expect(statuses.sort()).toEqual([201, 403]);
    const [edges] = await cloud().queryAsTenant(
      org.organizationId,
      'select count(*)::int as count from edges',
    );
    expect(edges?.count).toBe(1);
  });

  it('refuses an expired code and an unknown code', async () => {
    const org = await createOrgWithToken(cloud());
    const { code } = await cloud().admin.createEnrollmentCode({ ...org, ttlMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await enroll(code)).status).toBe(403);
    expect((await enroll('never-issued-code')).status).toBe(403);
  });

  it("hides another organization's plant", async () => {
    const orgA = await createOrgWithToken(cloud());
    const orgB = await createOrgWithToken(cloud());
    const response = await call(cloud(), 'POST', `/api/v1/plants/${orgA.plantId}/enrollment-codes`, {
      token: orgB.token,
    });
    expect(response.status).toBe(404);
  });

  it('refuses a key that is not an Ed25519 public key', async () => {
    const org = await createOrgWithToken(cloud());
    const { code } = await cloud().admin.createEnrollmentCode(org);
    const { publicJwk } = await newEdgeKey();
    const withPrivate = await call(cloud(), 'POST', '/api/v1/edges/enroll', {
      body: { code, name: 'edge', publicKey: { ...publicJwk, d: publicJwk.x } },
    });
    expect(withPrivate.status).toBe(422);
    const rsa = await call(cloud(), 'POST', '/api/v1/edges/enroll', {
      body: { code, name: 'edge', publicKey: { kty: 'RSA', n: 'x', e: 'AQAB' } },
    });
    expect(rsa.status).toBe(422);
    expect((await enroll(code)).status).toBe(201);
  });

  it('answers a repeat with the same key with the same edge, and refuses the code to any other key', async () => {
    const org = await createOrgWithToken(cloud());
    const { code } = await cloud().admin.createEnrollmentCode(org);
    const { publicJwk } = await newEdgeKey();
    const first = await enrollWith(code, publicJwk);
    expect(first.status).toBe(201);
    // The first answer was lost on the way: the edge asks again with the key it kept.
    const repeat = await enrollWith(code, publicJwk);
    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual(first.body);
    expect((await enroll(code)).status).toBe(403);
    expect(await edgeCount(org.organizationId)).toBe(1);
    // The key is compared as a key: optional members do not make it another one.
    expect((await enrollWith(code, { ...publicJwk, alg: 'EdDSA', use: 'sig' })).body).toEqual(first.body);
  });

  it('gives two concurrent requests with the same key the same single edge', async () => {
    const org = await createOrgWithToken(cloud());
    const { code } = await cloud().admin.createEnrollmentCode(org);
    const { publicJwk } = await newEdgeKey();
    const answers = await Promise.all([enrollWith(code, publicJwk), enrollWith(code, publicJwk)]);
    expect(answers.map((answer) => answer.status)).toEqual([201, 201]);
    expect(answers[0]!.body.edgeId).toBe(answers[1]!.body.edgeId);
    expect(await edgeCount(org.organizationId)).toBe(1);
  });

  it('answers a repeat after the code expired, but not for a revoked edge', async () => {
    const org = await createOrgWithToken(cloud());
    const { code } = await cloud().admin.createEnrollmentCode({ ...org, ttlMs: 300 });
    const { publicJwk } = await newEdgeKey();
    const first = await enrollWith(code, publicJwk);
    expect(first.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // The edge may have retried for longer than the code lived; its enrollment stands.
    expect((await enrollWith(code, publicJwk)).body).toEqual(first.body);
    const revoked = await call(cloud(), 'POST', `/api/v1/edges/${first.body.edgeId}/revoke`, {
      token: org.token,
    });
    expect(revoked.status).toBe(200);
    expect((await enrollWith(code, publicJwk)).status).toBe(403);
  });
});
