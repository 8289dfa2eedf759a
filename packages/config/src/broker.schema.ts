import { z } from 'zod';
import { port } from './schema.common.ts';

/** `scrypt$<N>$<r>$<p>$<salt base64>$<key base64>`, made by `node edge/src/broker/hash-password.ts`. */
export const PasswordHash = z
  .string()
  .regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, 'must be a scrypt$N$r$p$salt$key hash');

export const BrokerUser = z.strictObject({
  username: z.string().min(1).max(128),
  passwordHash: PasswordHash,
  /** Topic filters this device may publish to (`+`, `#`, and `%u` for its own username). */
  publish: z.array(z.string().min(1)).default([]),
  /** Topic filters this device may subscribe to. */
  subscribe: z.array(z.string().min(1)).default([]),
});

/** Embedded MQTT broker for machines that publish straight to the edge. */
export const EmbeddedBroker = z.strictObject({
  host: z.string().default('0.0.0.0'),
  port: port.default(1883),
  /** Without users every client is let in; with users, only they are (and only to their topics). */
  users: z.array(BrokerUser).default([]),
});

/** Republishes normalized samples on `<root>/<plant>/<area>/<line>/<machine>/<tag>` for local consumers. */
export const UnsConfig = z.strictObject({
  /** Omitted: the embedded broker. */
  url: z
    .string()
    .regex(/^mqtts?:\/\//, 'must start with mqtt:// or mqtts://')
    .optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  root: z
    .string()
    .regex(/^[^/+#\s]+$/)
    .default('unison'),
});

export type BrokerUserConfig = z.infer<typeof BrokerUser>;
export type EmbeddedBrokerConfig = z.infer<typeof EmbeddedBroker>;
export type UnsConfig = z.infer<typeof UnsConfig>;
