import { ndjsonStream, wantsNdjson } from './ndjson';

describe('wantsNdjson', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['*/*', false],
    ['application/json', false],
    ['application/x-ndjson', true],
    ['Application/X-NDJSON; charset=utf-8', true],
    ['application/x-ndjson, application/json', true],
    ['application/json, application/x-ndjson;q=0.5', false],
    ['application/json;q=0.5, application/x-ndjson', true],
    ['application/x-ndjson;q=0', false],
    ['application/x-ndjson;q=abc', false],
  ])('%s → %s', (accept, expected) => {
    expect(wantsNdjson(accept)).toBe(expected);
  });
});

describe('ndjsonStream', () => {
  it('writes one line per item, a page per chunk, and reads a page only when asked for one', async () => {
    const read: number[] = [];
    async function* pages() {
      for (let page = 0; page < 3; page++) {
        read.push(page);
        yield [{ page, n: 1 }, { page, n: 2 }];
      }
    }
    const stream = ndjsonStream(pages(), (item) => item);
    const chunks: string[] = [];
    for await (const chunk of stream) {
      chunks.push(String(chunk));
      if (chunks.length === 1) {
        // The consumer holds the first page: at most one more has been read ahead.
        expect(read.length).toBeLessThanOrEqual(2);
      }
    }
    expect(chunks.join('').split('\n')).toEqual([
      '{"page":0,"n":1}',
      '{"page":0,"n":2}',
      '{"page":1,"n":1}',
      '{"page":1,"n":2}',
      '{"page":2,"n":1}',
      '{"page":2,"n":2}',
      '',
    ]);
  });

  it('ends the page generator when the stream is destroyed', async () => {
    let finished = false;
    async function* pages() {
      try {
        for (let page = 0; ; page++) yield [page];
      } finally {
        finished = true;
      }
    }
    const stream = ndjsonStream(pages(), (item) => item);
    await new Promise((resolve) => stream.once('data', resolve));
    stream.destroy();
    await new Promise((resolve) => stream.once('close', resolve));
    expect(finished).toBe(true);
  });
});
