import { purchase } from './support/fixtures';
import { startSystem, TestSystem } from './support/system';

describe('Concurrent commands on one subscription', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startSystem({ worker: false });
  });

  afterAll(() => system.close());

  it('applies 50 concurrent seat changes without losing one', async () => {
    const contoso = await system.client('contoso');
    const bought = await purchase(contoso, { quantity: 1 });
    const quantities = Array.from({ length: 50 }, (_, i) => i + 2);

    const responses = await Promise.all(quantities.map((quantity) => contoso.patch(bought.path, { body: { quantity } })));

    expect(responses.map((r) => r.status)).toEqual(quantities.map(() => 200));
    const { rows } = await system.db.query<{ data: { quantity: number; previousQuantity: number }; stream_revision: string }>(
      "SELECT data, stream_revision FROM events WHERE stream_id = $1 AND event_type = 'SeatsChanged' ORDER BY stream_revision",
      [`subscription-${bought.subscriptionId}`],
    );
    expect(rows).toHaveLength(50);
    expect(rows.map((r) => r.data.quantity).sort((a, b) => a - b)).toEqual(quantities);
    // Every change was decided on the state the one before it left.
    let previous = 1;
    for (const row of rows) {
      expect(row.data.previousQuantity).toBe(previous);
      previous = row.data.quantity;
    }
    const etags = new Set(responses.map((r) => r.headers.get('etag')));
    expect(etags.size).toBe(50);
    const detail = await contoso.get(bought.path);
    expect(detail.body.quantity).toBe(previous);
    expect(detail.headers.get('etag')).toBe('"50"');
  });
});
