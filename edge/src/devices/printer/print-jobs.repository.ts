import type { Database } from 'better-sqlite3';

export type PrintJobState = 'queued' | 'sent' | 'printed' | 'failed' | 'held';

export interface PrintJob {
  id: string;
  printer: string;
  template: string;
  variables: Record<string, string>;
  zpl: string;
  state: PrintJobState;
  attempts: number;
  lastError: string | null;
  reprintOf: string | null;
  sourceEventId: string | null;
  createdMs: number;
  updatedMs: number;
  sentMs: number | null;
}

const DDL = `
CREATE TABLE IF NOT EXISTS print_jobs (
  id TEXT PRIMARY KEY,
  printer TEXT NOT NULL,
  template TEXT NOT NULL,
  variables TEXT NOT NULL,
  zpl TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'printed', 'failed', 'held')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  reprint_of TEXT REFERENCES print_jobs(id),
  source_event_id TEXT,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  sent_ms INTEGER
);
CREATE INDEX IF NOT EXISTS print_jobs_printer_state ON print_jobs (printer, state, created_ms);
`;

interface Row {
  id: string;
  printer: string;
  template: string;
  variables: string;
  zpl: string;
  state: PrintJobState;
  attempts: number;
  last_error: string | null;
  reprint_of: string | null;
  source_event_id: string | null;
  created_ms: number;
  updated_ms: number;
  sent_ms: number | null;
}

const toJob = (row: Row): PrintJob => ({
  id: row.id,
  printer: row.printer,
  template: row.template,
  variables: JSON.parse(row.variables),
  zpl: row.zpl,
  state: row.state,
  attempts: row.attempts,
  lastError: row.last_error,
  reprintOf: row.reprint_of,
  sourceEventId: row.source_event_id,
  createdMs: row.created_ms,
  updatedMs: row.updated_ms,
  sentMs: row.sent_ms,
});

export type NewPrintJob = Pick<
  PrintJob,
  'id' | 'printer' | 'template' | 'variables' | 'zpl' | 'reprintOf' | 'sourceEventId'
>;

/** The only code that touches `print_jobs`. State changes are guarded by the state they leave, so none happens twice. */
export function createPrintJobsRepository(db: Database) {
  db.exec(DDL);
  const insert = db.prepare(
    `INSERT INTO print_jobs (id, printer, template, variables, zpl, state, reprint_of, source_event_id, created_ms, updated_ms)
     VALUES (@id, @printer, @template, @variables, @zpl, 'queued', @reprintOf, @sourceEventId, @now, @now)`,
  );
  const byId = db.prepare<[string], Row>('SELECT * FROM print_jobs WHERE id = ?');
  const nextQueued = db.prepare<[string], Row>(
    "SELECT * FROM print_jobs WHERE printer = ? AND state = 'queued' ORDER BY created_ms, id LIMIT 1",
  );
  const move = db.prepare(
    `UPDATE print_jobs SET state = @to, last_error = coalesce(@error, last_error), updated_ms = @now,
       attempts = attempts + @attempt, sent_ms = CASE WHEN @to = 'sent' THEN @now ELSE sent_ms END
     WHERE id = @id AND state = @from`,
  );
  const list = db.prepare<[{ printer: string | null; state: string | null }], Row>(
    'SELECT * FROM print_jobs WHERE (@printer IS NULL OR printer = @printer) AND (@state IS NULL OR state = @state) ORDER BY created_ms, id',
  );

  return {
    insert(job: NewPrintJob, nowMs: number): void {
      insert.run({ ...job, variables: JSON.stringify(job.variables), now: nowMs });
    },
    get(id: string): PrintJob | undefined {
      const row = byId.get(id);
      return row ? toJob(row) : undefined;
    },
    nextQueued(printer: string): PrintJob | undefined {
      const row = nextQueued.get(printer);
      return row ? toJob(row) : undefined;
    },
    list(filter: { printer?: string; state?: PrintJobState } = {}): PrintJob[] {
      return list.all({ printer: filter.printer ?? null, state: filter.state ?? null }).map(toJob);
    },
    /** Moves a job from `from` to `to`; false when it was not in `from` (someone else moved it). */
    move(id: string, from: PrintJobState, to: PrintJobState, nowMs: number, error?: string): boolean {
      const attempt = to === 'sent' ? 1 : 0;
      return move.run({ id, from, to, now: nowMs, error: error ?? null, attempt }).changes === 1;
    },
    /** Jobs left at the printer by a previous run: nobody knows if they printed, so an operator decides. */
    holdUnconfirmed(printer: string, nowMs: number): number {
      return db
        .prepare(
          `UPDATE print_jobs SET state = 'held', updated_ms = ?, last_error = 'edge stopped before the printer confirmed the job'
           WHERE printer = ? AND state = 'sent'`,
        )
        .run(nowMs, printer).changes;
    },
  };
}

export type PrintJobsRepository = ReturnType<typeof createPrintJobsRepository>;
