import type { PrinterConfig } from '@unison/config';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import { uuidv7 } from 'uuidv7';
import { errorMessage, sleep } from '../../lib/sleep.ts';
import { type Clock, type EmitEvent, systemClock } from '../device.events.ts';
import { rasterizeMissingSymbologies } from '../labels/label.fallback.ts';
import {
  LabelRenderError,
  type LabelTemplate,
  type LabelVariables,
  renderLabel,
} from '../labels/label.template.ts';
import { createPrintJobsRepository, type PrintJob, type PrintJobState } from './print-jobs.repository.ts';
import { openPrinterTransport } from './printer.open.ts';
import { type PrinterStatus, queryPrinterStatus } from './printer.status.ts';
import { NotConnectedError, type PrinterTransport } from './printer.transport.ts';

export interface PrintRequest {
  printer: string;
  template: string;
  variables: LabelVariables;
  sourceEventId?: string;
}

export interface PrinterView {
  printer: string;
  status: PrinterStatus;
  queued: number;
  held: number;
}

export interface PrintQueue {
  /** Renders and stores a job; throws LabelRenderError (bad data) or Error (unknown printer/template). */
  enqueue(request: PrintRequest): PrintJob;
  /** A new job with the same ZPL, linked to `jobId`; a held original is closed as failed. */
  reprint(jobId: string): PrintJob;
  /** The operator saw the label: a held job becomes printed. */
  markPrinted(jobId: string): PrintJob;
  job(id: string): PrintJob | undefined;
  jobs(filter?: { printer?: string; state?: PrintJobState }): PrintJob[];
  printers(): PrinterView[];
  stop(): Promise<void>;
}

export interface PrintQueueOptions {
  db: Database;
  printers: readonly PrinterConfig[];
  templates: ReadonlyMap<string, LabelTemplate>;
  emitEvent?: EmitEvent;
  clock?: Clock;
  log?: Logger;
  openTransport?: (printer: PrinterConfig) => PrinterTransport;
  /** Consecutive unanswered ~HS after sending before a job is held. */
  unansweredLimit?: number;
}

/**
 * One worker per printer sends queued jobs in order, only to a printer whose ~HS says ready, and
 * marks a job printed only when the printer confirms it. Anything uncertain after sending holds the
 * job for an operator: a label may be missing, never printed twice by the queue.
 */
export function startPrintQueue({
  db,
  printers,
  templates,
  emitEvent = () => {},
  clock = systemClock,
  log,
  openTransport = (printer) => openPrinterTransport(printer, log),
  unansweredLimit = 2,
}: PrintQueueOptions): PrintQueue {
  const repo = createPrintJobsRepository(db);
  const abort = new AbortController();
  const workers = new Map(printers.map((printer) => [printer.id, worker(printer)]));

  function worker(printer: PrinterConfig) {
    repo.holdUnconfirmed(printer.id, clock.now());
    const transport = openTransport(printer);
    let status: PrinterStatus = { known: false, reason: 'not asked yet' };
    let wake = () => {};
    const ask = async () => {
      status = await queryPrinterStatus(transport, printer.statusTimeoutMs);
      return status;
    };
    const event = (type: string, job: PrintJob, extra: Record<string, unknown> = {}) =>
      emitEvent({
        id: uuidv7(),
        type,
        tsMs: clock.now(),
        source: printer.id,
        payload: {
          jobId: job.id,
          template: job.template,
          sourceEventId: job.sourceEventId,
          reprintOf: job.reprintOf,
          ...extra,
        },
      });
    const hold = (job: PrintJob, reason: string) => {
      if (repo.move(job.id, 'sent', 'held', clock.now(), reason)) event('label.held', job, { reason });
      log?.warn({ printer: printer.id, job: job.id, reason }, 'print job held');
    };

    const confirm = async (job: PrintJob) => {
      const deadline = clock.now() + printer.confirmTimeoutMs;
      let unanswered = 0;
      let idleAnswers = 0;
      for (;;) {
        const now = await ask();
        if (!now.known) {
          if (++unanswered >= unansweredLimit)
            return hold(job, `printer stopped answering after the job was sent (${now.reason})`);
        } else {
          unanswered = 0;
          const fault = now.headOpen
            ? 'head open'
            : now.paperOut
              ? 'paper out'
              : now.ribbonOut
                ? 'ribbon out'
                : undefined;
          if (fault)
            return hold(job, `${fault} while printing; check the labels, then reprint or mark printed`);
          const idle = now.formatsInBuffer === 0 && now.labelsRemaining === 0;
          idleAnswers = idle ? idleAnswers + 1 : 0;
          // Twice idle, a poll apart: one answer could predate the printer taking the format in.
          if (idleAnswers >= 2) {
            if (repo.move(job.id, 'sent', 'printed', clock.now())) event('label.printed', job);
            return;
          }
        }
        if (clock.now() >= deadline) return hold(job, `not confirmed within ${printer.confirmTimeoutMs} ms`);
        await sleep(Math.min(printer.statusPollMs, 50), abort.signal);
        if (abort.signal.aborted) return;
      }
    };

    const send = async (job: PrintJob) => {
      // Marked sent before the first byte goes out: after a crash the job is held, never resent.
      if (!repo.move(job.id, 'queued', 'sent', clock.now())) return;
      try {
        await transport.write(Buffer.from(job.zpl, 'latin1'));
      } catch (error) {
        if (!(error instanceof NotConnectedError))
          return hold(job, `sending failed part way: ${errorMessage(error)}`);
        const failed = job.attempts + 1 >= printer.maxAttempts;
        repo.move(job.id, 'sent', failed ? 'failed' : 'queued', clock.now(), errorMessage(error));
        if (failed) event('label.failed', job, { reason: errorMessage(error) });
        return;
      }
      await confirm(job);
    };

    const run = async () => {
      while (!abort.signal.aborted) {
        const job = repo.nextQueued(printer.id);
        if (!job) {
          const idle = new AbortController();
          wake = () => idle.abort();
          await sleep(printer.statusPollMs * 10, AbortSignal.any([abort.signal, idle.signal]));
          continue;
        }
        const now = await ask();
        if (now.known && now.ready && now.formatsInBuffer === 0) await send(job);
        else await sleep(printer.statusPollMs, abort.signal);
      }
    };
    const running = run().catch((error) =>
      log?.error({ err: error, printer: printer.id }, 'print worker crashed'),
    );
    return {
      config: printer,
      status: () => status,
      wake: () => wake(),
      async stop() {
        wake();
        await running;
        await transport.close();
      },
    };
  }

  const need = (id: string) => {
    const job = repo.get(id);
    if (!job) throw new Error(`no print job ${id}`);
    return job;
  };
  const insert = (job: Omit<Parameters<typeof repo.insert>[0], 'id'>) => {
    const id = uuidv7();
    repo.insert({ ...job, id }, clock.now());
    workers.get(job.printer)?.wake();
    return need(id);
  };

  return {
    enqueue({ printer, template, variables, sourceEventId }) {
      const target = workers.get(printer);
      if (!target) throw new Error(`unknown printer ${printer}`);
      const label = templates.get(template);
      if (!label) throw new LabelRenderError(`unknown label template ${template}`);
      const zpl = rasterizeMissingSymbologies(renderLabel(label, variables), target.config.nativeSymbologies);
      const stored = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v ?? '')]));
      return insert({
        printer,
        template,
        variables: stored,
        zpl,
        reprintOf: null,
        sourceEventId: sourceEventId ?? null,
      });
    },
    reprint(jobId) {
      const original = need(jobId);
      repo.move(jobId, 'held', 'failed', clock.now(), 'operator chose reprint');
      const { printer, template, variables, zpl, sourceEventId } = original;
      return insert({ printer, template, variables, zpl, reprintOf: jobId, sourceEventId });
    },
    markPrinted(jobId) {
      if (!repo.move(jobId, 'held', 'printed', clock.now(), 'marked printed by operator')) {
        throw new Error(`print job ${jobId} is ${need(jobId).state}, not held`);
      }
      return need(jobId);
    },
    job: (id) => repo.get(id),
    jobs: (filter) => repo.list(filter),
    printers: () =>
      [...workers.values()].map((w) => ({
        printer: w.config.id,
        status: w.status(),
        queued: repo.list({ printer: w.config.id, state: 'queued' }).length,
        held: repo.list({ printer: w.config.id, state: 'held' }).length,
      })),
    async stop() {
      abort.abort();
      await Promise.all([...workers.values()].map((w) => w.stop()));
    },
  };
}
