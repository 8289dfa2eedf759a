import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { createRecorder } from '../../edge/src/recorder/recorder.ts';

type Logger = Parameters<typeof createRecorder>[0]['log'];
const pino = createRequire(join(import.meta.dirname, '../../edge/package.json'))('pino') as (options: {
  level: string;
}) => Logger;

/** The edge's logger, quiet but for warnings: a retried upload during the drain is worth seeing. */
export const benchLog = pino({ level: 'warn' });
