import { USER_TOKEN_AUDIENCE } from '@unison/contracts';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { expect, it } from 'vitest';
import { call, describeEachBackend } from '../../../test/helpers.ts';

describeEachBackend('login', (cloud) => {
  const login = (body: unknown) => call(cloud(), 'POST', '/api/v1/auth/login', { body });

  it('issues a 15-minute EdDSA token that verifies with the JWKS', async () => {
    const org = await cloud().admin.createOrganization({
      name: 'Acme',
      plant: { code: 'north', name: 'North' },
      admin: { email: 'Boss@Acme.example', password: 'correct horse battery staple' },
    });
    const response = await login({ email: 'boss@acme.example', password: 'correct horse battery staple' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    const jwks = await call(cloud(), 'GET', '/.well-known/jwks.json');
    const { payload, protectedHeader } = await jwtVerify(
      response.body.accessToken,
      createLocalJWKSet(jwks.body),
      {
        audience: USER_TOKEN_AUDIENCE,
      },
    );
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(protectedHeader.kid).toBe(jwks.body.keys[0].kid);
    expect(payload.org).toBe(org.organizationId);
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(jwks.body.keys[0]).not.toHaveProperty('d');
  });

  it('answers a wrong password and an unknown email with the same 401', async () => {
    const org = await cloud().admin.createOrganization({
      name: 'Beta',
      plant: { code: 'p', name: 'P' },
      admin: { email: 'admin@beta.example' },
    });
    expect(org.admin.password.length).toBeGreaterThanOrEqual(20);
    const wrongPassword = await login({ email: 'admin@beta.example', password: 'not it' });
    const unknownUser = await login({ email: 'nobody@beta.example', password: org.admin.password });
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.headers.get('content-type')).toBe('application/problem+json');
    expect(unknownUser.status).toBe(401);
    expect(unknownUser.body.detail).toBe(wrongPassword.body.detail);
  });

  it('answers malformed JSON with 400 and an unknown field with 422', async () => {
    const malformed = await call(cloud(), 'POST', '/api/v1/auth/login', { rawBody: '{"email": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toBe('application/problem+json');
    const unknownField = await login({ email: 'a@b.example', password: 'x', role: 'admin' });
    expect(unknownField.status).toBe(422);
    expect(unknownField.body.errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/role/) }),
    ]);
  });

  it('refuses requests without a valid user token', async () => {
    expect((await call(cloud(), 'GET', '/api/v1/machines')).status).toBe(401);
    expect((await call(cloud(), 'GET', '/api/v1/machines', { token: 'not.a.token' })).status).toBe(401);
    const jwks = await call(cloud(), 'GET', '/.well-known/jwks.json');
    expect(jwks.body.keys).toHaveLength(1);
  });
});
