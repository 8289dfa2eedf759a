import { z } from '@hono/zod-openapi';
import { ProblemError } from './problem.ts';

export const MAX_PAGE_SIZE = 200;

/** `limit` and `cursor`; merge a route's filters into it with `.extend()`. */
export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50).openapi({ example: 50 }),
  cursor: z.string().max(1000).optional().openapi({ description: 'nextCursor of the previous page' }),
});

/** A page of items and the cursor of the next one (null on the last page). */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** Sort-key values of the last row seen, opaque to clients. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number): (string | number)[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((part) => typeof part === 'string' || typeof part === 'number')
    ) {
      return key;
    }
  } catch {}
  throw new ProblemError(422, 'Unprocessable Content', 'the cursor is not one this API issued', {
    errors: [{ path: 'cursor', message: 'invalid cursor' }],
  });
}

/** Cuts the one extra row a repository fetched beyond `limit` into the next cursor. */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  keyOf: (row: Row) => readonly (string | number)[],
  toItem: (row: Row) => Item,
): { items: Item[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown.at(-1);
  return { items: shown.map(toItem), nextCursor: more && last ? encodeCursor(keyOf(last)) : null };
}

/**
 * SQL conditions built alongside their parameters: `where.add('code = $?', code)` skips undefined
 * values and numbers the placeholders.
 */
export function sqlFilter(params: unknown[] = []) {
  const conditions: string[] = [];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  return {
    params,
    bind,
    add(condition: string, ...values: unknown[]) {
      if (values.some((value) => value === undefined)) return this;
      let index = 0;
      conditions.push(condition.replaceAll('$?', () => bind(values[index++])));
      return this;
    },
    /** Rows past the cursor: `>` for ascending order, `<` for descending. */
    after(columns: string, key: readonly unknown[] | undefined, operator: '>' | '<' = '>') {
      if (!key) return this;
      conditions.push(`(${columns}) ${operator} (${key.map(bind).join(', ')})`);
      return this;
    },
    where: () => (conditions.length > 0 ? `where ${conditions.join(' and ')}` : ''),
  };
}
