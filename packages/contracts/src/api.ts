import { z } from 'zod';
import { Quality, SampleValue } from './sample.ts';

export const LoginRequest = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(1).max(1024),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const LoginResponse = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().positive(),
  /** Opaque, single use: POST it to /api/v1/auth/refresh for a new pair. */
  refreshToken: z.string(),
  refreshExpiresIn: z.number().int().positive(),
});
export type LoginResponse = z.infer<typeof LoginResponse>;

export const EnrollRequest = z.strictObject({
  code: z.string().min(8).max(128),
  name: z.string().min(1).max(128),
  publicKey: z.looseObject({ kty: z.string(), crv: z.string().optional(), x: z.string().optional() }),
});
export type EnrollRequest = z.infer<typeof EnrollRequest>;

export const EnrollResponse = z.object({
  edgeId: z.uuid(),
  organizationId: z.uuid(),
  plantId: z.uuid(),
});
export type EnrollResponse = z.infer<typeof EnrollResponse>;

export const LatestValue = z.object({
  tag: z.string(),
  value: SampleValue,
  quality: Quality,
  ts: z.string(),
});

export const MachineResponse = z.object({
  id: z.uuid(),
  plantId: z.uuid(),
  code: z.string(),
  name: z.string(),
  latest: z.array(LatestValue),
});
export type MachineResponse = z.infer<typeof MachineResponse>;

export const MachineList = z.object({ items: z.array(MachineResponse) });
export type MachineList = z.infer<typeof MachineList>;

/** Audience an edge puts in its signed assertions to the cloud. */
export const EDGE_ASSERTION_AUDIENCE = 'unison-cloud/edge';
/** Audience of user access tokens the cloud issues. */
export const USER_TOKEN_AUDIENCE = 'unison-api';
/** Issuer of user access tokens the cloud signs; the edge verifies them offline with the synced JWKS. */
export const USER_TOKEN_ISSUER = 'unison-cloud';
