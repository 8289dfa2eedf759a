import type { BrokerUserConfig } from '@unison/config';
import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import type { Logger } from 'pino';
import { errorMessage } from '../lib/sleep.ts';
import { mayPublish, maySubscribe } from './broker.acl.ts';
import { verifyPassword } from './broker.password.ts';

const BAD_USERNAME_OR_PASSWORD = 4 as AuthenticateError['returnCode'];

/** aedes hooks for per-device credentials and topic permissions; none when no users are configured. */
export function brokerSecurity(
  users: BrokerUserConfig[],
  log: Logger,
): Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'> {
  if (users.length === 0) return {};
  const byName = new Map(users.map((user) => [user.username, user]));
  const byClient = new WeakMap<Client, BrokerUserConfig>();
  const refuse = () =>
    Object.assign(new Error('bad username or password'), { returnCode: BAD_USERNAME_OR_PASSWORD });

  return {
    authenticate(client, username, password, done) {
      const user = username === undefined ? undefined : byName.get(username);
      if (!user || !password) {
        log.warn({ client: client.id, username }, 'mqtt login refused: unknown user or no password');
        return done(refuse(), false);
      }
      verifyPassword(password.toString('utf8'), user.passwordHash).then(
        (ok) => {
          if (!ok) {
            log.warn({ client: client.id, username }, 'mqtt login refused: wrong password');
            return done(refuse(), false);
          }
          byClient.set(client, user);
          done(null, true);
        },
        (error) => {
          log.error({ client: client.id, username, err: errorMessage(error) }, 'mqtt password check failed');
          done(refuse(), false);
        },
      );
    },
    authorizePublish(client, packet, done) {
      // The broker's own messages (client null) are trusted; `$SYS` is the broker's alone.
      if (client === null) return done(null);
      const user = byClient.get(client);
      if (user && !packet.topic.startsWith('$') && mayPublish(user, packet.topic)) return done(null);
      log.warn({ client: client.id, username: user?.username, topic: packet.topic }, 'mqtt publish refused');
      done(new Error(`not allowed to publish to ${packet.topic}`));
    },
    authorizeSubscribe(client, subscription, done) {
      const user = byClient.get(client);
      if (user && maySubscribe(user, subscription.topic)) return done(null, subscription);
      log.warn(
        { client: client.id, username: user?.username, topic: subscription.topic },
        'mqtt subscribe refused',
      );
      // A null subscription makes aedes answer the SUBACK with 0x80 (failure) for this filter.
      done(null, null);
    },
  };
}
