import { createPlantModel, MQTT_MACHINES, statusTopic } from '@unison/simulator';
import mqtt from 'mqtt';
import pino from 'pino';
import {
  canRunMosquitto,
  type RestartableBroker,
  restartableAedes,
  restartableMosquitto,
} from '../../../test/mqtt/brokers.ts';
import { type ConnectorFixture, describeConnector } from '../connector.contract.ts';
import { mqttConnector } from './mqtt.connector.ts';

const log = pino({ level: 'silent' });
const fields = ['state', 'speed', 'good', 'scrap', 'temperature'];
const pathOf = (tag: string) => (tag === 'good' || tag === 'scrap' ? `counters.${tag}` : tag);

async function fixture(broker: RestartableBroker): Promise<ConnectorFixture> {
  const plant = createPlantModel(7);
  // The fillers' side: keepalive off, so its own timers don't count as the connector's leftovers.
  const machines = await mqtt.connectAsync(broker.url, { keepalive: 0, reconnectPeriod: 100 });
  const publishAll = () => {
    if (!machines.connected) return;
    for (const machine of MQTT_MACHINES) {
      const { state, speed, temperature, good, scrap } = plant.get(machine);
      const payload = { ts: new Date().toISOString(), state, speed, temperature, counters: { good, scrap } };
      machines.publish(statusTopic('contract', machine), JSON.stringify(payload), { qos: 1 });
    }
  };
  const timer = setInterval(publishAll, 100);
  let speed = 50;
  return {
    connector: mqttConnector(
      {
        type: 'mqtt',
        id: 'fillers',
        url: broker.url,
        reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
        maxPayloadBytes: 4096,
        subscriptions: [
          {
            topic: 'contract/+/status',
            machineFromTopicLevel: 1,
            timestampPath: 'ts',
            fields: fields.map((tag) => ({ tag, path: pathOf(tag) })),
          },
        ],
      },
      { log },
    ),
    tags: MQTT_MACHINES.flatMap((machine) => fields.map((tag) => ({ machine, tag }))),
    async changeValue() {
      speed += 1.5;
      plant.set('filler-2', { speed });
      return { machine: 'filler-2', tag: 'speed', value: speed };
    },
    stopServer: broker.stop,
    startServer: broker.start,
    async close() {
      clearInterval(timer);
      await machines.endAsync(true);
      await broker.close();
    },
    badWithinMs: 1000,
  };
}

describeConnector('mqtt on aedes', async () => fixture(await restartableAedes()));
if (canRunMosquitto())
  describeConnector('mqtt on Mosquitto', async () => fixture(await restartableMosquitto()));
