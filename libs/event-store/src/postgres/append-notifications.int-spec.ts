import { randomUUID } from 'node:crypto';
import { createTestSchema, TestSchema } from '@mfh/testing';
import { Client } from 'pg';
import type { AppendWatch } from '../log-wakeups';
import { appendsChannel } from './append-notifications';
import { PostgresEventStore } from './postgres-event-store';

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('PostgreSQL append watch (LISTEN/NOTIFY)', () => {
  let schema: TestSchema;
  let store: PostgresEventStore;
  let watch: AppendWatch | null = null;
  const ping = (stream = `watched-${randomUUID()}`) => store.appendToStream(stream, [{ id: randomUUID(), type: 'Pinged', data: {}, metadata: {} }]);

  beforeAll(async () => {
    schema = await createTestSchema('notify');
    store = await PostgresEventStore.connect({ url: schema.url, schema: schema.schema, max: 2 });
  });

  afterEach(async () => {
    await watch?.close();
    watch = null;
  });

  afterAll(async () => {
    await store.close();
    await schema.drop();
  });

  it('names a channel per schema, cut to an identifier’s length', () => {
    expect(appendsChannel('public')).toBe('mfh_appends_public');
    expect(appendsChannel('s'.repeat(63))).toHaveLength(63);
  });

  it('announces itself once listening, then every append committed in its schema, and none of another schema’s', async () => {
    let appended = 0;
    watch = store.watchAppends({ appended: () => appended++ });
    expect(watch.mayLag).toBe(true);
    await until(() => appended === 1);
    await ping();
    await until(() => appended === 2);

    const other = await createTestSchema('notify');
    const elsewhere = await PostgresEventStore.connect({ url: other.url, schema: other.schema, max: 1 });
    try {
      await elsewhere.appendToStream('x', [{ id: randomUUID(), type: 'Pinged', data: {}, metadata: {} }]);
      await ping();
      await until(() => appended === 3);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(appended).toBe(3);
    } finally {
      await elsewhere.close();
      await other.drop();
    }
  });

  it('notifies once per append at its commit, not while its transaction is open', async () => {
    let appended = 0;
    watch = store.watchAppends({ appended: () => appended++ });
    await until(() => appended === 1);
    const writer = new Client({ connectionString: schema.url });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(
        `INSERT INTO ${schema.schema}.events (event_id, stream_id, stream_revision, event_type, data, metadata, hash)
        VALUES ($1, $2, 0, 'Pinged', '{}', '{}', ''), ($3, $2, 1, 'Pinged', '{}', '{}', '')`,
        [randomUUID(), `tx-${randomUUID()}`, randomUUID()],
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(appended).toBe(1);
      await writer.query('COMMIT');
      await until(() => appended === 2);
    } finally {
      await writer.end();
    }
  });

  it('listens again after its session is terminated, announcing the new session for what went unannounced', async () => {
    let appended = 0;
    const interruptions: number[] = [];
    let resumed = 0;
    watch = store.watchAppends({
      appended: () => appended++,
      interrupted: (_error, failures) => interruptions.push(failures),
      resumed: () => resumed++,
    });
    await until(() => appended === 1);
    const admin = new Client({ connectionString: schema.url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ terminated: boolean }>(
        'SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE query = $1',
        [`LISTEN "${appendsChannel(schema.schema)}"`],
      );
      expect(rows).toEqual([{ terminated: true }]);
    } finally {
      await admin.end();
    }
    await until(() => resumed === 1 && appended === 2);
    expect(interruptions).toEqual([1]);
    await ping();
    await until(() => appended === 3);
  });

  it('stops listening when the store closes', async () => {
    const own = await PostgresEventStore.connect({ url: schema.url, schema: schema.schema, max: 1 });
    let appended = 0;
    own.watchAppends({ appended: () => appended++ });
    await until(() => appended === 1);
    await own.close();
    const admin = new Client({ connectionString: schema.url });
    await admin.connect();
    try {
      const { rows } = await admin.query('SELECT 1 FROM pg_stat_activity WHERE query = $1', [`LISTEN "${appendsChannel(schema.schema)}"`]);
      expect(rows).toEqual([]);
    } finally {
      await admin.end();
    }
  });
});
