import { createPgPool } from '@mfh/event-store';
import { createTestSchema, TestSchema } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { NewNotificationAttempt, NewNotificationDelivery, NotificationsRepository } from './notifications.repository';

describe('NotificationsRepository (PostgreSQL)', () => {
  let schema: TestSchema;
  let pool: Pool;
  let repository: NotificationsRepository;

  beforeAll(async () => {
    schema = await createTestSchema('notif');
    pool = createPgPool({ url: schema.url, schema: schema.schema, max: 3 });
    await NotificationsRepository.open(pool, schema.schema);
    repository = await NotificationsRepository.open(pool, schema.schema);
  });

  afterAll(async () => {
    await pool.end();
    await schema.drop();
  });

  const delivery = (subscriptionId: string, createdAt: Date): NewNotificationDelivery => ({
    id: randomUUID(),
    subscriptionId,
    publisherId: 'fabrikam',
    operationId: randomUUID(),
    action: 'Unsubscribe',
    operationStatus: 'Succeeded',
    eventType: 'Cancelled',
    payload: { id: 'op' },
    createdAt,
  });

  const attempt = (d: NewNotificationDelivery, n: number, fields: Partial<NewNotificationAttempt> = {}): NewNotificationAttempt => ({
    deliveryId: d.id,
    attempt: n,
    operationId: d.operationId,
    subscriptionId: d.subscriptionId,
    publisherId: d.publisherId,
    url: 'http://publisher.example/webhook',
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
    finishedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n, 40)),
    durationMs: 40,
    httpStatus: 500,
    error: 'HTTP 500',
    outcome: 'retrying',
    nextAttemptAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n + 1)),
    ...fields,
  });

  async function inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } finally {
      client.release();
    }
  }

  it('records a delivery once: recording it again reports nothing new', async () => {
    const d = delivery(randomUUID(), new Date());
    expect(await inTransaction((client) => repository.recordDeliveries(client, [d]))).toEqual(new Set([d.id]));
    expect(await inTransaction((client) => repository.recordDeliveries(client, [d]))).toEqual(new Set());
    expect(await repository.delivery(d.id)).toMatchObject({ id: d.id, state: 'pending', attemptCount: 0, lastAttempt: null, payload: { id: 'op' } });
  });

  it('keeps one row per (delivery, attempt), the last write winning, and derives the state from the last attempt', async () => {
    const d = delivery(randomUUID(), new Date());
    await inTransaction((client) => repository.recordDeliveries(client, [d]));
    await repository.recordAttempt(attempt(d, 1));
    await repository.recordAttempt(attempt(d, 1, { httpStatus: 502, error: 'HTTP 502' }));
    await repository.recordAttempt(attempt(d, 2, { outcome: 'dead-lettered', nextAttemptAt: null }));

    const attempts = await repository.attempts(d.id);
    expect(attempts.map((a) => [a.attempt, a.httpStatus, a.outcome])).toEqual([
      [1, 502, 'retrying'],
      [2, 500, 'dead-lettered'],
    ]);
    expect(attempts[0]).toMatchObject({ startedAt: '2026-01-01T00:00:01.000Z', nextAttemptAt: '2026-01-01T00:00:02.000Z', durationMs: 40 });
    expect(await repository.delivery(d.id)).toMatchObject({ state: 'dead-lettered', attemptCount: 2, lastAttempt: { attempt: 2 } });
    expect((await repository.firstAttemptStartedAt(d.id))?.toISOString()).toBe('2026-01-01T00:00:01.000Z');
    expect((await repository.firstAttemptStartedAt(d.id, 1))?.toISOString()).toBe('2026-01-01T00:00:02.000Z');
    expect(await repository.firstAttemptStartedAt(d.id, 2)).toBeNull();
    expect(await repository.lastAttempt(d.id)).toMatchObject({ attempt: 2, outcome: 'dead-lettered' });
  });

  it('lists by subscription and state, oldest first, page by page', async () => {
    const subscriptionId = randomUUID();
    const deliveries = [0, 1, 2].map((i) => delivery(subscriptionId, new Date(Date.UTC(2026, 1, 1, 0, i))));
    await inTransaction((client) => repository.recordDeliveries(client, [...deliveries].reverse()));
    await repository.recordAttempt(attempt(deliveries[1], 1, { httpStatus: 200, error: null, outcome: 'delivered', nextAttemptAt: null }));

    const first = await repository.deliveries({ subscriptionId }, { size: 2 });
    expect(first.totalCount).toBe(3);
    expect(first.items.map((d) => [d.id, d.state])).toEqual([
      [deliveries[0].id, 'pending'],
      [deliveries[1].id, 'delivered'],
    ]);
    const second = await repository.deliveries({ subscriptionId }, { size: 2, continuationToken: first.continuationToken });
    expect(second).toMatchObject({ totalCount: 3, continuationToken: null, items: [{ id: deliveries[2].id }] });

    const pending = await repository.deliveries({ subscriptionId, state: 'pending' }, { size: 10 });
    expect(pending.items.map((d) => d.id)).toEqual([deliveries[0].id, deliveries[2].id]);
    expect(pending.totalCount).toBe(2);
    await expect(repository.deliveries({}, { size: 1, continuationToken: 'bogus' })).rejects.toThrow('continuationToken');
  });
});
