import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cloud, createCloud } from '../src/index.ts';
import { call } from './helpers.ts';

describe('http app', () => {
  let cloud: Cloud;
  beforeAll(async () => {
    cloud = await createCloud({ log: false });
  });
  afterAll(() => cloud.close());

  it('answers /health after reaching the database, with a request id', async () => {
    const response = await cloud.app.request('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(response.headers.get('x-request-id')).toMatch(/.+/);
  });

  it('documents every route in an OpenAPI 3.1 document and serves a docs page', async () => {
    const { status, body } = await call(cloud, 'GET', '/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/.well-known/jwks.json',
        '/api/v1/auth/login',
        '/api/v1/edges/enroll',
        '/api/v1/machines',
        '/api/v1/machines/{id}',
        '/api/v1/plants',
        '/api/v1/areas',
        '/api/v1/lines',
        '/api/v1/users',
        '/api/v1/roles',
        '/api/v1/audit',
        '/api/v1/platform/organizations',
        '/api/v1/plants/{plantId}/enrollment-codes',
        '/api/v1/sync/upload',
        '/health',
      ]),
    );
    const docs = await cloud.app.request('/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
  });

  it('serves Prometheus metrics labelled by route pattern', async () => {
    await cloud.app.request('/health');
    await call(cloud, 'GET', '/api/v1/plants/0190a000-0000-7000-8000-000000000000');
    const response = await cloud.app.request('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/health",status="200"\} \d+$/m);
    expect(text).toMatch(/route="\/api\/v1\/plants\/:id",status="401"/);
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{.*le="\+Inf"\} \d+$/m);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await call(cloud, 'GET', '/api/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 404, title: 'Not Found' });
  });

  it('refuses bodies over 1 MB outside the upload route', async () => {
    const response = await call(cloud, 'POST', '/api/v1/auth/login', {
      body: { email: 'a@b.example', password: 'x'.repeat(1024 * 1024 + 1) },
    });
    expect(response.status).toBe(413);
    expect(response.body.status).toBe(413);
  });

  it('serves over HTTP on a free port and closes idempotently', async () => {
    const served = await createCloud({ log: false });
    const { url } = await served.listen({ port: 0 });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${url}/health`);
    expect(await response.json()).toEqual({ status: 'ok' });
    await served.close();
    await served.close();
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('answers 503 on /health and a 500 problem without internals when the database is gone', async () => {
    const broken = await createCloud({ log: false });
    await broken.close();
    const health = await call(broken, 'GET', '/health');
    expect(health.status).toBe(503);
    const login = await call(broken, 'POST', '/api/v1/auth/login', {
      body: { email: 'a@b.example', password: 'x' },
    });
    expect(login.status).toBe(500);
    expect(login.body).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'an unexpected error occurred',
    });
  });
});
