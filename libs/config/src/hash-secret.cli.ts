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

// hashSecret refuses a secret it could not verify exactly (one with a NUL): say so, without a stack trace.
main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
