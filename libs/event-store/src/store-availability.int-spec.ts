import { createTestSchema, freePort, startEsdbStandIn, TestSchema } from '@mfh/testing';
import { Client } from 'pg';
import { DomainError } from '@mfh/domain';
import { EventStoreDBEventStore } from './eventstoredb/eventstoredb-event-store';
import { WrongExpectedVersionError } from './event-store.errors';
import { createPgPool } from './postgres/pg-pool';
import { isStoreUnavailable, retryWhileUnavailable } from './store-availability';

const failure = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => new Error('did not fail'), (error: unknown) => error);

describe('isStoreUnavailable, on the errors real servers and clients produce', () => {
  let schema: TestSchema;

  beforeAll(async () => {
    schema = await createTestSchema('avail');
  });

  afterAll(() => schema.drop());

  it('PostgreSQL refusing connections (nothing listens on the port)', async () => {
    const pool = createPgPool({ url: `postgres://postgres@127.0.0.1:${await freePort()}/postgres` });
    try {
      expect(isStoreUnavailable(await failure(pool.query('SELECT 1')))).toBe(true);
    } finally {
      await pool.end();
    }
  });

  it('a session terminated by an administrator, in a query and on the checked-out client after it', async () => {
    const pool = createPgPool({ url: schema.url, schema: schema.schema, max: 1, applicationName: 'avail-victim' });
    const admin = new Client({ connectionString: schema.url });
    await admin.connect();
    try {
      const client = await pool.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const sleeping = failure(client.query('SELECT pg_sleep(10)'));
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      const terminated = await sleeping;
      expect((terminated as { code?: string }).code).toBe('57P01');
      expect(isStoreUnavailable(terminated)).toBe(true);
      // The process is still here: the checked-out client's 'error' event had a listener.
      expect(isStoreUnavailable(await failure(client.query('SELECT 1')))).toBe(true);
      client.release();
      // The pool dropped the broken client and serves the next query on a fresh one.
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await admin.end();
      await pool.end();
    }
  });

  it('EventStoreDB not reachable (gRPC UNAVAILABLE)', async () => {
    const store = EventStoreDBEventStore.connect(`esdb://127.0.0.1:${await freePort()}?tls=false`);
    try {
      expect(isStoreUnavailable(await failure(store.readStream('subscription-x')))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('EventStoreDB that went away after answering', async () => {
    const standIn = await startEsdbStandIn();
    const store = EventStoreDBEventStore.connect(standIn.url);
    try {
      await store.appendToStream('subscription-a', [{ id: '3f0a1e7c-6f0e-4a7e-9b3c-1d2e3f4a5b6c', type: 'Tested', data: {}, metadata: {} }]);
      await standIn.stop();
      expect(isStoreUnavailable(await failure(store.readStream('subscription-a')))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('is false for refusals and bugs: SQL errors, conflicts, domain errors, anything else', async () => {
    const pool = createPgPool({ url: schema.url, schema: schema.schema, max: 1 });
    try {
      expect(isStoreUnavailable(await failure(pool.query('SELECT * FROM no_such_table')))).toBe(false);
      expect(isStoreUnavailable(await failure(pool.query("SELECT '2026-02-30'::timestamptz")))).toBe(false);
    } finally {
      await pool.end();
    }
    expect(isStoreUnavailable(new WrongExpectedVersionError('s', 1, 2))).toBe(false);
    expect(isStoreUnavailable(new DomainError('quantity-out-of-range', 'validation', 'no'))).toBe(false);
    expect(isStoreUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isStoreUnavailable('ECONNREFUSED')).toBe(false);
  });

  it('looks through wrapped causes', async () => {
    const pool = createPgPool({ url: `postgres://postgres@127.0.0.1:${await freePort()}/postgres` });
    try {
      const cause = await failure(pool.query('SELECT 1'));
      expect(isStoreUnavailable(new Error('while applying a batch', { cause }))).toBe(true);
    } finally {
      await pool.end();
    }
  });
});

describe('retryWhileUnavailable', () => {
  const quiet = { warn: () => undefined, log: () => undefined };

  it('keeps trying while the store is unavailable, then returns what the task returns', async () => {
    const port = await freePort();
    let attempts = 0;
    const result = await retryWhileUnavailable(
      async () => {
        attempts++;
        if (attempts < 3) {
          const pool = createPgPool({ url: `postgres://postgres@127.0.0.1:${port}/postgres` });
          try {
            await pool.query('SELECT 1');
          } finally {
            await pool.end();
          }
        }
        return 'migrated';
      },
      { what: 'test', initialDelayMs: 5, logger: quiet },
    );
    expect({ result, attempts }).toEqual({ result: 'migrated', attempts: 3 });
  });

  it('throws any other error at once', async () => {
    let attempts = 0;
    const error = await failure(
      retryWhileUnavailable(
        async () => {
          attempts++;
          throw new Error('relation "events" does not exist');
        },
        { what: 'test', initialDelayMs: 5, logger: quiet },
      ),
    );
    expect({ message: (error as Error).message, attempts }).toEqual({ message: 'relation "events" does not exist', attempts: 1 });
  });
});
