// Prints the scrypt hash of a password read from stdin, for `users[].passwordHash` in the plant config:
//   printf '%s' "$PASSWORD" | node edge/src/broker/hash-password.ts
import { text } from 'node:stream/consumers';
import { hashPassword } from './broker.password.ts';

const password = (await text(process.stdin)).replace(/\r?\n$/, '');
if (password.length === 0) {
  process.stderr.write('no password on stdin\n');
  process.exit(2);
}
process.stdout.write(`${await hashPassword(password)}\n`);
