import { hashSecret } from './secret-hash';

/** `npm run hash-secret -- <secret>` prints the secretHash to put in a catalog file. */
async function main(): Promise<void> {
  const secret = process.argv[2];
  if (!secret) {
    process.stderr.write('usage: npm run hash-secret -- <secret>\n');
    process.exit(2);
  }
  process.stdout.write(`${await hashSecret(secret)}\n`);
}

void main();
