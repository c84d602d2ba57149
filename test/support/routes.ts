import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export interface RouteEntry {
  method: string;
  /** Fastify's pattern, parameters as `:name`. */
  path: string;
}

/**
 * Every route the running app serves, read from Fastify's route tree (`printRoutes` with
 * `commonPrefix: false` prints one node per path segment, children indented four columns under it).
 */
export function routesOf(app: NestFastifyApplication): RouteEntry[] {
  const tree = app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const paths: string[] = [];
  const routes: RouteEntry[] = [];
  for (const line of tree.split('\n')) {
    const branch = line.indexOf('── ');
    if (branch < 0) continue;
    const depth = (branch + 3) / 4 - 1;
    const match = /^(\S+)(?: \(([^)]*)\))?/.exec(line.slice(branch + 3));
    if (!match || !Number.isInteger(depth)) throw new Error(`cannot read the route tree line ${JSON.stringify(line)}`);
    paths[depth] = `${depth === 0 ? '' : paths[depth - 1]}${match[1]}`;
    paths.length = depth + 1;
    for (const method of match[2]?.split(',') ?? []) routes.push({ method: method.trim(), path: paths[depth] });
  }
  return routes;
}

/** Methods that only read. */
export const READ_METHODS = ['GET', 'HEAD', 'OPTIONS'];
