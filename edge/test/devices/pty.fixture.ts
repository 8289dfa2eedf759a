import { join } from 'node:path';
import { startPtyPair } from '@unison/simulator';
import { tempDir } from '@unison/testkit';

/** A socat pty pair in a fresh directory: `host` is the edge's side, `device` the simulated device's. */
export async function ptyFixture() {
  const dir = tempDir('unison-pty-');
  const host = join(dir.path, 'host');
  const device = join(dir.path, 'device');
  let pair = await startPtyPair(host, device);
  return {
    host,
    device,
    /** Pulls the cable: the pair goes away. */
    unplug: () => pair.stop(),
    /** Plugs it back in: a new pair under the same paths (new /dev/pts numbers). */
    async replug() {
      pair = await startPtyPair(host, device);
    },
    async cleanup() {
      await pair.stop();
      dir.remove();
    },
  };
}
