import { CHANGE_ENTITIES, type ChangeEntity } from '@unison/contracts';
import { z } from 'zod';
import { ProblemError } from '../../http/problem.ts';

/** The order a snapshot walks the entities: what others refer to comes first. */
export const SNAPSHOT_ORDER: readonly ChangeEntity[] = [
  'signing_key',
  'role',
  'user',
  'material',
  'machine',
  'machine_tag',
  'label_template',
  'work_order',
];
if (SNAPSHOT_ORDER.length !== CHANGE_ENTITIES.length)
  throw new Error('SNAPSHOT_ORDER must list every entity');

/** Where a feed continues: inside a snapshot, or in the change log after a version. */
export type FeedPosition =
  | { kind: 'snapshot'; startVersion: number; entity: number; afterId: string | null }
  | { kind: 'changes'; version: number };

const Version = z.number().int().nonnegative();
const Stored = z.discriminatedUnion('k', [
  z.strictObject({
    k: z.literal('s'),
    v: Version,
    e: z.number().int().min(0).max(SNAPSHOT_ORDER.length),
    a: z.string().min(1).max(200).nullable(),
  }),
  z.strictObject({ k: z.literal('c'), v: Version }),
]);

export function encodeFeedCursor(position: FeedPosition): string {
  const stored: z.infer<typeof Stored> =
    position.kind === 'snapshot'
      ? { k: 's', v: position.startVersion, e: position.entity, a: position.afterId }
      : { k: 'c', v: position.version };
  return Buffer.from(JSON.stringify(stored)).toString('base64url');
}

/** No cursor starts a snapshot; one this API did not issue is a 400. */
export function decodeFeedCursor(cursor: string | undefined): FeedPosition | undefined {
  if (cursor === undefined) return undefined;
  let parsed: z.ZodSafeParseResult<z.infer<typeof Stored>>;
  try {
    parsed = Stored.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    parsed = { success: false } as never;
  }
  if (!parsed.success) {
    throw new ProblemError(400, 'Bad Request', 'the cursor is not one this API issued', {
      errors: [{ path: 'cursor', message: 'invalid cursor' }],
    });
  }
  const stored = parsed.data;
  return stored.k === 's'
    ? { kind: 'snapshot', startVersion: stored.v, entity: stored.e, afterId: stored.a }
    : { kind: 'changes', version: stored.v };
}
