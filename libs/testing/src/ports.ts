import { createServer } from 'node:net';

/** A local TCP port that nothing listens on right now (for a server to take, or to be refused on). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('the OS gave no port');
  return address.port;
}
