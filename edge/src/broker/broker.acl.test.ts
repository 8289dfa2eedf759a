import { describe, expect, it } from 'vitest';
import { filterCovers, mayPublish, maySubscribe, topicMatchesFilter } from './broker.acl.ts';
import { hashPassword, verifyPassword } from './broker.password.ts';

const user = {
  username: 'filler-1',
  passwordHash: 'unused',
  publish: ['machines/%u/#', 'spBv1.0/line-4/+/%u/#'],
  subscribe: ['machines/%u/commands/+', 'spBv1.0/STATE/+'],
};

describe('broker permissions', () => {
  it('matches concrete topics against filters', () => {
    expect(topicMatchesFilter('machines/+/status', 'machines/a/status')).toBe(true);
    expect(topicMatchesFilter('machines/#', 'machines')).toBe(true);
    expect(topicMatchesFilter('machines/+', 'machines/a/b')).toBe(false);
  });

  it('lets a requested filter through only when an allowed one covers all it can match', () => {
    expect(filterCovers('a/#', 'a/+/c')).toBe(true);
    expect(filterCovers('a/+/c', 'a/b/c')).toBe(true);
    expect(filterCovers('a/+/c', 'a/+/c')).toBe(true);
    expect(filterCovers('a/b/c', 'a/+/c')).toBe(false);
    expect(filterCovers('a/+', 'a/#')).toBe(false);
    expect(filterCovers('a/+/c', 'a/b')).toBe(false);
    expect(filterCovers('#', '#')).toBe(true);
  });

  it('substitutes the username and keeps devices to their own topics', () => {
    expect(mayPublish(user, 'machines/filler-1/status')).toBe(true);
    expect(mayPublish(user, 'machines/filler-2/status')).toBe(false);
    expect(mayPublish(user, 'spBv1.0/line-4/NDATA/filler-1')).toBe(true);
    expect(maySubscribe(user, 'machines/filler-1/commands/stop')).toBe(true);
    expect(maySubscribe(user, 'machines/filler-1/commands/#')).toBe(false);
    expect(maySubscribe(user, '$share/g/spBv1.0/STATE/unison')).toBe(true);
    expect(maySubscribe(user, '#')).toBe(false);
  });

  it('hashes passwords with scrypt and verifies them', async () => {
    const hash = await hashPassword('s3cret', { N: 1024 });
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(hash).not.toContain('s3cret');
    expect(await verifyPassword('s3cret', hash)).toBe(true);
    expect(await verifyPassword('s3cret!', hash)).toBe(false);
    expect(await verifyPassword('s3cret', 'plain')).toBe(false);
    expect(await hashPassword('s3cret', { N: 1024 })).not.toBe(hash);
  });
});
