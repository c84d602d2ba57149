import { Readable } from 'node:stream';

export const NDJSON = 'application/x-ndjson';

/** The q-value an Accept header gives a media type it names exactly (0 when it does not name it). */
function quality(accept: string, mediaType: string): number {
  let best = 0;
  for (const range of accept.split(',')) {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    if (type !== mediaType) continue;
    const q = params.find((param) => param.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    if (Number.isFinite(value)) best = Math.max(best, value);
  }
  return best;
}

/** NDJSON when the caller names it, unless it names JSON with a higher preference. */
export function wantsNdjson(accept: string | undefined): boolean {
  if (!accept) return false;
  const ndjson = quality(accept, NDJSON);
  return ndjson > 0 && ndjson >= quality(accept, 'application/json');
}

/**
 * One JSON document per line, a page per chunk. Readable.from pulls the next page only when the
 * stream wants more (high-water mark of one chunk), and Fastify pipes it into the response, so a
 * full socket pauses the reading and a closed one destroys the stream, which ends the generator.
 */
export function ndjsonStream<T>(pages: AsyncIterable<readonly T[]>, line: (item: T) => unknown): Readable {
  async function* lines(): AsyncGenerator<string> {
    for await (const page of pages) yield page.map((item) => `${JSON.stringify(line(item))}\n`).join('');
  }
  return Readable.from(lines(), { objectMode: false, highWaterMark: 1 });
}
