import { waitFor } from '@unison/testkit';
import pino from 'pino';
import {
  canRunMosquitto,
  type RestartableBroker,
  restartableAedes,
  restartableMosquitto,
} from '../../../test/mqtt/brokers.ts';
import { type ConnectorFixture, describeConnector } from '../connector.contract.ts';
import { sparkplugConnector } from './sparkplug.connector.ts';
import { SPARKPLUG_TAGS, sparkplugConfig, startFillerNode } from './sparkplug.fixture.ts';

const log = pino({ level: 'silent' });

async function fixture(broker: RestartableBroker): Promise<ConnectorFixture> {
  const { node, plant } = startFillerNode(broker.url, 'contract');
  // Connected before the suite starts counting sockets, so the node's are not taken for the connector's.
  await waitFor(() => (node.births() > 0 ? true : undefined), { what: 'the node online' });
  let temperature = 20;
  return {
    connector: sparkplugConnector(sparkplugConfig(broker.url, 'contract', 'contract-host'), { log }),
    tags: ['filler-1', 'filler-2'].flatMap((machine) => SPARKPLUG_TAGS.map((tag) => ({ machine, tag }))),
    async changeValue() {
      temperature += 0.5;
      plant.set('filler-1', { temperature });
      node.publishData('filler-1');
      return { machine: 'filler-1', tag: 'temperature', value: temperature };
    },
    stopServer: broker.stop,
    startServer: broker.start,
    async close() {
      await node.stop();
      await broker.close();
    },
    badWithinMs: 1000,
  };
}

describeConnector('sparkplug on aedes', async () => fixture(await restartableAedes()));
if (canRunMosquitto()) {
  describeConnector('sparkplug on Mosquitto', async () => fixture(await restartableMosquitto()));
}
