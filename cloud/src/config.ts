import { z } from 'zod';

const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const CloudEnv = z.object({
  CLOUD_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  CLOUD_HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .optional()
    .transform((value) => (value ? value : undefined))
    .pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  CLOUD_DATA_DIR: z.string().min(1).default('.data/cloud'),
  LOG_LEVEL: LogLevel.default('info'),
  CLOUD_TRUSTED_PROXY_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, 'must be a header name such as x-forwarded-for')
    .optional(),
  // At least the 15-minute access-token lifetime, or tokens signed just before a rotation would fail early.
  CLOUD_KEY_ROLLOVER_MINUTES: z.coerce.number().int().min(15).max(525_600).optional(),
});

export interface CloudConfig {
  port: number;
  host: string;
  /** PostgreSQL server; without it the cloud runs on PGlite files in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  logLevel: z.infer<typeof LogLevel>;
  /** Set only behind a reverse proxy that overwrites this header with the client's address. */
  trustedProxyHeader: string | undefined;
  /** How long a retired signing key still verifies tokens; the cloud's default when undefined. */
  keyRolloverMs: number | undefined;
}

/** Reads and validates the cloud's environment once; throws with every problem listed. */
export function loadCloudConfig(env: Record<string, string | undefined>): CloudConfig {
  const parsed = CloudEnv.safeParse(env);
  if (!parsed.success) throw new Error(`invalid cloud configuration:\n${z.prettifyError(parsed.error)}`);
  const { CLOUD_PORT, CLOUD_HOST, DATABASE_URL, CLOUD_DATA_DIR, LOG_LEVEL } = parsed.data;
  const { CLOUD_TRUSTED_PROXY_HEADER, CLOUD_KEY_ROLLOVER_MINUTES } = parsed.data;
  return {
    port: CLOUD_PORT,
    host: CLOUD_HOST,
    databaseUrl: DATABASE_URL,
    dataDir: CLOUD_DATA_DIR,
    logLevel: LOG_LEVEL,
    trustedProxyHeader: CLOUD_TRUSTED_PROXY_HEADER?.toLowerCase(),
    keyRolloverMs: CLOUD_KEY_ROLLOVER_MINUTES === undefined ? undefined : CLOUD_KEY_ROLLOVER_MINUTES * 60_000,
  };
}
