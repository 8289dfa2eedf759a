import type { SparkplugConnectorConfig } from '@unison/config';
import { createPlantModel, MQTT_MACHINES, startSparkplugNode } from '@unison/simulator';
import mqtt from 'mqtt';

export const SPARKPLUG_TAGS = ['state', 'speed', 'good', 'scrap', 'temperature'];

/** A host config reading the simulated node's two fillers as devices. */
export function sparkplugConfig(url: string, group: string, hostId: string): SparkplugConnectorConfig {
  return {
    type: 'sparkplug',
    id: 'fillers-spb',
    url,
    hostId,
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    rebirthTimeoutMs: 2000,
    sources: MQTT_MACHINES.map((machine) => ({ group, node: 'line-4', device: machine, machine })),
  };
}

/** A simulated Sparkplug edge node with the fillers as devices; keepalive off so its timers stay its own. */
export function startFillerNode(url: string, group: string, plant = createPlantModel(11)) {
  const node = startSparkplugNode({
    url,
    group,
    node: 'line-4',
    devices: MQTT_MACHINES,
    read: plant.get,
    publishIntervalMs: 0,
    reconnectMs: 100,
    connect: (target, options) => mqtt.connect(target, { ...options, keepalive: 0 }),
  });
  return { node, plant };
}
