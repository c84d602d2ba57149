import type { RecordedEvent } from '@mfh/event-store';
import { foldBatch } from '../projections/projection';
import { CustomerRow, customerView } from './customer.row';
import { customersProjection } from './customers.projection';

const ID = '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d';
const created: RecordedEvent = {
  id: '30000000-0000-4000-8000-000000000000',
  streamId: `customer-${ID}`,
  revision: 0,
  position: { commit: 1n, prepare: 1n },
  type: 'CustomerCreated',
  data: { customerId: ID, partnerId: 'contoso', companyName: 'Adatum', domain: 'adatum.example', createdAt: '2026-03-01T10:00:00.000Z' },
  metadata: {},
  recordedAt: new Date('2026-03-01T10:00:00Z'),
  hash: 'h',
  previousHash: null,
};

describe('the customers list row', () => {
  it('holds the customer as created, the same when replayed twice', () => {
    const rows = new Map<string, CustomerRow>();
    foldBatch(customersProjection, rows, [created]);
    expect(customerView(rows.get(ID)!)).toEqual({ id: ID, companyName: 'Adatum', domain: 'adatum.example', partnerId: 'contoso' });
    expect(foldBatch(customersProjection, rows, [created])).toEqual([]);
    expect(rows.get(ID)).toMatchObject({ revision: 0, createdAt: '2026-03-01T10:00:00.000Z' });
    expect(customersProjection.canHandle({ ...created, type: 'OrderPlaced' })).toBe(false);
  });
});
