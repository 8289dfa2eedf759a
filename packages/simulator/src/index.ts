export * from './devices/index.ts';
export * from './modbus/index.ts';
export { HOLDING_REGISTER_COUNT, INPUT_REGISTER_COUNT } from './modbus/modbus.registers.ts';
export { type StatusPayload, statusTopic } from './mqtt/mqtt.payload.ts';
export {
  SPARKPLUG_METRICS,
  type SparkplugMetricName,
  type SparkplugNode,
  type SparkplugNodeOptions,
  startSparkplugNode,
} from './mqtt/sparkplug.node.ts';
export type { BulkVariablesOptions } from './opcua/opcua.bulk.ts';
export {
  OPCUA_VARIABLES,
  type OpcuaServerExtras,
  type OpcuaStatusName,
  SIMULATOR_NAMESPACE_URI,
} from './opcua/opcua.server.ts';
export type { OpcuaVariableName } from './opcua/opcua.variables.ts';
export { startTcpProxy, type TcpProxy } from './opcua/tcp.proxy.ts';
export {
  MACHINE_PROFILES,
  type MachineKind,
  type MachineProfile,
  type MachineState,
  type MachineValues,
  MODBUS_MACHINES,
  MQTT_MACHINES,
  OPCUA_MACHINES,
} from './plant/machines.ts';
export { createPlantModel, type PlantModel } from './plant/plant.model.ts';
export { type Simulator, type SimulatorOptions, startSimulator } from './simulator.ts';
