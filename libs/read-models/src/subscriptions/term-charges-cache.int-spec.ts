import { subscriptionStream } from '@mfh/domain';
import { activeEvents, eventually, given, invoiceLine, purchasedEvent, readModelsFixture, ReadModelsFixture, TEST_DATABASE_URL } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { rebuildProjections } from '../rebuild/rebuild-projections';
import { termChargesChannel, TermChargesCache } from './term-charges-cache';

describe('TermChargesCache', () => {
  let fixture: ReadModelsFixture;
  let cache: TermChargesCache;
  let charge = 0;

  beforeEach(async () => {
    fixture = await readModelsFixture();
    // Kept far longer than any test runs: only announcements and reconnections may drop what is kept.
    cache = new TermChargesCache(fixture.pool, 600_000);
  });

  afterEach(async () => {
    await cache.close();
    await fixture.close();
  });

  async function billingSubscription(): Promise<string> {
    const id = randomUUID();
    await given(fixture.store, subscriptionStream(id), [purchasedEvent({ subscriptionId: id }), ...activeEvents()]);
    await fixture.project();
    return id;
  }

  /** A charge of `amount` cents on the subscription's current term, projected. */
  async function charged(id: string, amount: number): Promise<void> {
    const line = invoiceLine({ id: `${id}/charge/${charge++}`, subscriptionId: id, partnerId: 'contoso', termStartDate: '2026-03-02', amount });
    await given(fixture.store, 'invoice-contoso-2026-03-USD', [{ type: 'ChargeRecorded', data: line }]);
    await fixture.project();
  }

  const total = async (id: string): Promise<number | null> => {
    const charges = await cache.of(id);
    return charges === null ? null : Object.values(charges.amounts).reduce((sum, amount) => sum + amount, 0);
  };

  const chargeReads = () => {
    const query = jest.spyOn(fixture.pool, 'query');
    return () => query.mock.calls.filter(([text]) => String(text).includes('term_charges')).length;
  };

  it('keeps what it read once listening, and reads again only after the projection announces a change', async () => {
    const id = await billingSubscription();
    await charged(id, 14_400);
    await cache.of(id);
    expect(await eventually(async () => cache.listening, (on) => on, 5_000)).toBe(true);

    const reads = chargeReads();
    expect(await total(id)).toBe(14_400);
    expect(await total(id)).toBe(14_400);
    expect(reads()).toBe(1);

    await charged(id, -2_500);
    expect(await eventually(() => total(id), (charged) => charged === 11_900, 5_000)).toBe(11_900);
    const after = reads();
    expect(await total(id)).toBe(11_900);
    expect(reads()).toBe(after);
  });

  it('keeps a subscription without charges until its first charge is announced', async () => {
    const id = await billingSubscription();
    expect(await eventually(async () => (await cache.of(id), cache.listening), (on) => on, 5_000)).toBe(true);
    expect(await total(id)).toBeNull();
    await charged(id, 14_400);
    expect(await eventually(() => total(id), (charged) => charged === 14_400, 5_000)).toBe(14_400);
  });

  it('asks PostgreSQL while its connection is down, and drops what it kept when it listens again', async () => {
    const id = await billingSubscription();
    await charged(id, 14_400);
    expect(await eventually(async () => (await cache.of(id), cache.listening), (on) => on, 5_000)).toBe(true);
    expect(await total(id)).toBe(14_400);

    const admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      const { rows } = await admin.query('SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE query = $1', [
        `LISTEN "${termChargesChannel(fixture.schema)}"`,
      ]);
      expect(rows).toEqual([{ done: true }]);
    } finally {
      await admin.end();
    }
    // Announced while no one listens: lost, so only a fresh read can show it.
    await charged(id, -2_500);
    expect(await eventually(() => total(id), (charged) => charged === 11_900, 3_000)).toBe(11_900);
    expect(await eventually(async () => cache.listening, (on) => on, 5_000)).toBe(true);
    expect(await total(id)).toBe(11_900);
  });

  it('drops everything when a rebuild swaps its tables in', async () => {
    const id = await billingSubscription();
    await charged(id, 14_400);
    expect(await eventually(async () => (await cache.of(id), cache.listening), (on) => on, 5_000)).toBe(true);
    expect(await total(id)).toBe(14_400);
    const reads = chargeReads();
    const report = await rebuildProjections({ url: TEST_DATABASE_URL, schema: fixture.schema, store: fixture.store });
    expect(report.swapped).toBe(true);
    expect(await eventually(async () => (await total(id), reads()), (n) => n > 0, 5_000)).toBeGreaterThan(0);
    expect(await total(id)).toBe(14_400);
  });
});
