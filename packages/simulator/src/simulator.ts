import { startModbusServer } from './modbus/modbus.server.ts';
import { startMqttPublisher } from './mqtt/mqtt.publisher.ts';
import { type OpcuaServerExtras, type OpcuaStatusName, startOpcuaServer } from './opcua/opcua.server.ts';
import type { OpcuaVariableName } from './opcua/opcua.variables.ts';
import {
  MACHINE_PROFILES,
  type MachineValues,
  MODBUS_MACHINES,
  MQTT_MACHINES,
  OPCUA_MACHINES,
} from './plant/machines.ts';
import { createPlantModel } from './plant/plant.model.ts';

export interface SimulatorOptions {
  /** Seeds the plant model; the same seed gives the same values after the same number of ticks. */
  seed?: number;
  /** Wall-clock time between ticks; 0 means no automatic ticks (tests drive step()). */
  tickMs?: number;
  host?: string;
  /** Omitted: on, any free port. */
  opcua?: ({ port: number } & OpcuaServerExtras) | false;
  /** Omitted: on, any free port. */
  modbus?: { port: number } | false;
  /** Omitted: off, as it needs a broker. */
  mqtt?: { url: string; topicPrefix?: string; publishIntervalMs?: number } | false;
  log?: (line: string) => void;
}

export interface Simulator {
  endpoints: {
    opcua?: string;
    modbus?: { host: string; port: number };
    mqtt?: { url: string; topicPrefix: string };
  };
  machines(): Record<string, MachineValues>;
  set(machine: string, values: Partial<MachineValues>): void;
  step(ticks?: number): void;
  /** OPC UA fault switch: serve a variable with a status code (`Good` to clear). */
  setOpcuaStatus(machine: string, variable: OpcuaVariableName, status: OpcuaStatusName): void;
  stop(): Promise<void>;
}

export async function startSimulator({
  seed = 42,
  tickMs = 1000,
  host = '127.0.0.1',
  opcua = { port: 0 },
  modbus = { port: 0 },
  mqtt = false,
  log = () => {},
}: SimulatorOptions = {}): Promise<Simulator> {
  if (!Number.isFinite(tickMs) || tickMs < 0) throw new Error(`tickMs must be a number ≥ 0, got ${tickMs}`);
  const model = createPlantModel(seed);
  const endpoints: Simulator['endpoints'] = {};
  const teardowns: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    await Promise.allSettled(teardowns.splice(0).map((teardown) => teardown()));
  };
  let pushToOpcua: (machine: string) => void = () => {};
  let pushToMqtt: (machine: string) => void = () => {};
  let setOpcuaStatus: Simulator['setOpcuaStatus'] = () => {
    throw new Error('OPC UA is off in this simulator');
  };

  try {
    if (modbus) {
      const server = await startModbusServer({
        host,
        port: modbus.port,
        units: MODBUS_MACHINES.map(({ machine, unitId }) => ({
          machine,
          unitId,
          nominalSpeed: MACHINE_PROFILES[machine]?.nominalSpeed ?? 1,
        })),
        plant: { get: model.get, set: (machine, values) => set(machine, values) },
        log,
      });
      teardowns.push(server.stop);
      endpoints.modbus = { host, port: server.port };
      log(`modbus: listening on ${host}:${server.port} (cnc-1 unit 1, cnc-2 unit 2)`);
    }
    if (opcua) {
      const server = await startOpcuaServer({
        host,
        port: opcua.port,
        pkiDir: opcua.pkiDir,
        extraNamespaces: opcua.extraNamespaces,
        bulk: opcua.bulk,
        machines: OPCUA_MACHINES,
        initialValues: model.get,
        log,
      });
      teardowns.push(server.stop);
      endpoints.opcua = server.endpointUrl;
      pushToOpcua = (machine) => server.update(machine, model.get(machine));
      setOpcuaStatus = server.setStatus;
    }
    if (mqtt) {
      const topicPrefix = mqtt.topicPrefix ?? 'sim';
      const publisher = startMqttPublisher({
        url: mqtt.url,
        topicPrefix,
        publishIntervalMs: mqtt.publishIntervalMs,
        machines: MQTT_MACHINES,
        read: model.get,
        log,
      });
      teardowns.push(publisher.stop);
      endpoints.mqtt = { url: mqtt.url, topicPrefix };
      pushToMqtt = publisher.publish;
    }
  } catch (error) {
    await stopAll();
    throw error;
  }

  const isOpcuaMachine = (machine: string) => (OPCUA_MACHINES as readonly string[]).includes(machine);
  const isMqttMachine = (machine: string) => (MQTT_MACHINES as readonly string[]).includes(machine);

  function set(machine: string, values: Partial<MachineValues>) {
    model.set(machine, values);
    if (isOpcuaMachine(machine)) pushToOpcua(machine);
    if (isMqttMachine(machine)) pushToMqtt(machine);
  }
  function step(ticks = 1) {
    model.step(ticks);
    for (const machine of OPCUA_MACHINES) pushToOpcua(machine);
  }

  const timer = tickMs > 0 ? setInterval(() => step(1), tickMs) : undefined;
  let stopping: Promise<void> | undefined;
  return {
    endpoints,
    machines: model.snapshot,
    set,
    step,
    setOpcuaStatus: (machine, variable, status) => setOpcuaStatus(machine, variable, status),
    stop: () => {
      clearInterval(timer);
      stopping ??= stopAll();
      return stopping;
    },
  };
}
