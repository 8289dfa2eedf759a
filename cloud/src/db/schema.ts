import {
  bigint,
  boolean,
  doublePrecision,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

// Mirrors cloud/migrations (the SQL files are the source of truth); used for typed queries.
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const organizations = pgTable('organizations', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const plants = pgTable('plants', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull(),
  code: text('code').notNull(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const machines = pgTable('machines', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull(),
  plantId: uuid('plant_id').notNull(),
  code: text('code').notNull(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const users = pgTable('users', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull(),
  email: text('email').notNull(),
  passwordHash: text('password_hash').notNull(),
  createdAt: createdAt(),
});

export const edges = pgTable('edges', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull(),
  plantId: uuid('plant_id').notNull(),
  name: text('name').notNull(),
  publicKey: jsonb('public_key').notNull(),
  createdAt: createdAt(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

export const edgeEnrollmentCodes = pgTable('edge_enrollment_codes', {
  codeHash: text('code_hash').primaryKey(),
  orgId: uuid('org_id').notNull(),
  plantId: uuid('plant_id').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  createdAt: createdAt(),
});

export const edgeStreams = pgTable(
  'edge_streams',
  {
    edgeId: uuid('edge_id').notNull(),
    stream: text('stream').notNull(),
    epoch: uuid('epoch').notNull(),
    ackedSeq: bigint('acked_seq', { mode: 'number' }).notNull(),
    orgId: uuid('org_id').notNull(),
    plantId: uuid('plant_id').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.edgeId, table.stream] })],
);

const valueColumns = () => ({
  valueNum: doublePrecision('value_num'),
  valueText: text('value_text'),
  valueBool: boolean('value_bool'),
  quality: text('quality', { enum: ['good', 'uncertain', 'bad'] }).notNull(),
});

export const samples = pgTable(
  'samples',
  {
    id: uuid('id').notNull(),
    orgId: uuid('org_id').notNull(),
    plantId: uuid('plant_id').notNull(),
    machineId: uuid('machine_id').notNull(),
    edgeId: uuid('edge_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    tag: text('tag').notNull(),
    ts: timestamp('ts', { withTimezone: true }).notNull(),
    ...valueColumns(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.id, table.ts] })],
);

export const machineLatest = pgTable(
  'machine_latest',
  {
    machineId: uuid('machine_id').notNull(),
    tag: text('tag').notNull(),
    orgId: uuid('org_id').notNull(),
    plantId: uuid('plant_id').notNull(),
    ...valueColumns(),
    ts: timestamp('ts', { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.machineId, table.tag] })],
);
