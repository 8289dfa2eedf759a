export { serveModbusRtu } from './modbus.device.rtu.ts';
export { serveModbusTcp } from './modbus.device.tcp.ts';
export {
  createModbusDevice,
  type DeviceFaults,
  type DeviceTable,
  type DeviceUnitMemory,
  emptyUnit,
  type ModbusDevice,
} from './modbus.device.ts';
