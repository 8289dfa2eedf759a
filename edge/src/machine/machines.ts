import type { MachineConfig } from '@unison/config';
import type { EmitEvent, Sample } from '@unison/contracts';
import { createMachineModel, type MachineModel, type MachineStatus } from './machine.model.ts';

export interface Machines {
  observe(samples: readonly Sample[]): void;
  status(): MachineStatus[];
  /** Checks for stale tags every `tickMs`; returns the teardown. */
  start(): () => void;
}

export interface MachinesOptions {
  machines: readonly MachineConfig[];
  emitEvent: EmitEvent;
  now?: () => number;
  tickMs?: number;
}

/** The machine model of every configured machine; samples of unknown machines are ignored. */
export function createMachines({
  machines,
  emitEvent,
  now = Date.now,
  tickMs = 1000,
}: MachinesOptions): Machines {
  const models = new Map<string, MachineModel>(
    machines.map((config) => [config.id, createMachineModel(config, { emitEvent })]),
  );
  return {
    observe(samples) {
      const byMachine = Map.groupBy(samples, (sample) => sample.machine);
      for (const [machine, own] of byMachine) models.get(machine)?.observe(own);
    },
    status: () => [...models.values()].map((model) => model.status()),
    start() {
      const timer = setInterval(() => {
        for (const model of models.values()) model.tick(now());
      }, tickMs);
      return () => clearInterval(timer);
    },
  };
}
