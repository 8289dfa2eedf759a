export * from './devices/index.ts';
export { HOLDING_REGISTER_COUNT, INPUT_REGISTER_COUNT } from './modbus/modbus.registers.ts';
export { type StatusPayload, statusTopic } from './mqtt/mqtt.payload.ts';
export { OPCUA_VARIABLES, SIMULATOR_NAMESPACE_URI } from './opcua/opcua.server.ts';
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
