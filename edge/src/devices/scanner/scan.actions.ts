import type { Scan } from '@unison/barcodes';
import type { ScanAction, ScanRoute } from '@unison/config';

/** What a station remembers between scans. */
export interface StationState {
  activeWorkOrder?: string;
}

export type ScanEventType =
  | 'lot.received'
  | 'genealogy.linked'
  | 'workorder.started'
  | 'workorder.finished'
  | 'serial.registered'
  | 'scan.rejected';

export type ActionOutcome =
  | {
      ok: true;
      action: ScanAction;
      type: Exclude<ScanEventType, 'scan.rejected'>;
      payload: Record<string, string>;
      message: string;
      /** Label to print, with the variables the scan provides. */
      print?: { template: string; variables: Record<string, string> };
      state: StationState;
    }
  | { ok: false; reason: string; position: number };

const elementOf = (scan: Scan, ai: string) => scan.elements?.find((e) => e.ai === ai)?.raw;

function matches(route: ScanRoute, scan: Scan): RegExpExecArray | boolean {
  const { kind, ais, pattern } = route.when;
  const structured = scan.kind === 'gs1' || scan.kind === 'digital-link';
  if (kind === 'gs1' && !structured) return false;
  if (kind === 'plain' && structured) return false;
  if (!ais.every((ai) => elementOf(scan, ai) !== undefined)) return false;
  if (pattern === undefined) return true;
  return new RegExp(pattern).exec(scan.text) ?? false;
}

/** The first route of the station that takes this scan, and what it does; the state is never mutated. */
export function routeScan(scan: Scan, routes: readonly ScanRoute[], state: StationState): ActionOutcome {
  for (const route of routes) {
    const match = matches(route, scan);
    if (!match) continue;
    const captured = match === true ? undefined : (match[1] ?? match[0]);
    const outcome = runAction(route.action, scan, state, captured);
    if (outcome.ok && route.printLabel) {
      return { ...outcome, print: { template: route.printLabel, variables: { ...outcome.payload } } };
    }
    return outcome;
  }
  return { ok: false, reason: 'no scan action at this station takes this code', position: 0 };
}

function runAction(action: ScanAction, scan: Scan, state: StationState, captured?: string): ActionOutcome {
  const gtin = elementOf(scan, '01');
  const lot = elementOf(scan, '10');
  const workOrder = state.activeWorkOrder;
  switch (action) {
    case 'receive-lot':
      if (!gtin || !lot) return { ok: false, reason: 'a lot needs (01) GTIN and (10) lot', position: 0 };
      return done(
        action,
        'lot.received',
        { gtin, lot, ...optional('expiry', elementOf(scan, '17')) },
        `Lot ${lot} received`,
        state,
      );
    case 'consume-lot':
      if (!gtin || !lot) return { ok: false, reason: 'a lot needs (01) GTIN and (10) lot', position: 0 };
      if (!workOrder) return { ok: false, reason: 'no active work order at this station', position: 0 };
      return done(
        action,
        'genealogy.linked',
        { workOrder, lot, gtin },
        `Lot ${lot} consumed into ${workOrder}`,
        state,
      );
    case 'start-work-order': {
      const started = captured ?? scan.text;
      if (workOrder === started)
        return { ok: false, reason: `work order ${started} is already active`, position: 0 };
      if (workOrder)
        return { ok: false, reason: `work order ${workOrder} is still active; finish it first`, position: 0 };
      return done(action, 'workorder.started', { workOrder: started }, `Work order ${started} started`, {
        ...state,
        activeWorkOrder: started,
      });
    }
    case 'finish-work-order': {
      const finished = captured ?? scan.text;
      if (workOrder !== finished) {
        return {
          ok: false,
          reason: `work order ${finished} is not the active one (${workOrder ?? 'none'})`,
          position: 0,
        };
      }
      return done(action, 'workorder.finished', { workOrder: finished }, `Work order ${finished} finished`, {
        ...state,
        activeWorkOrder: undefined,
      });
    }
    case 'register-serial': {
      const serial = elementOf(scan, '21') ?? (scan.kind === 'plain' ? (captured ?? scan.text) : undefined);
      if (!serial) return { ok: false, reason: 'no serial number in this code', position: 0 };
      const payload = { serial, ...optional('gtin', gtin), ...optional('workOrder', workOrder) };
      return done(action, 'serial.registered', payload, `Serial ${serial} registered`, state);
    }
  }
}

const optional = (key: string, value: string | undefined): Record<string, string> =>
  value === undefined ? {} : { [key]: value };

function done(
  action: ScanAction,
  type: Exclude<ScanEventType, 'scan.rejected'>,
  payload: Record<string, string>,
  message: string,
  state: StationState,
): ActionOutcome {
  return { ok: true, action, type, payload, message, state };
}
