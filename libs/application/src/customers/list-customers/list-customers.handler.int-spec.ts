import { customerStream } from '@mfh/domain';
import { CustomersRepository } from '@mfh/read-models';
import { given, readModelsFixture, ReadModelsFixture } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { ListCustomers } from './list-customers.query';
import { ListCustomersHandler } from './list-customers.handler';

describe('ListCustomers', () => {
  let fixture: ReadModelsFixture;
  let handler: ListCustomersHandler;
  const customers = [randomUUID(), randomUUID(), randomUUID()];

  beforeAll(async () => {
    fixture = await readModelsFixture();
    handler = new ListCustomersHandler(new CustomersRepository(fixture.pool));
    for (const [i, customerId] of customers.entries()) {
      const partnerId = i < 2 ? 'contoso' : 'northwind';
      const createdAt = `2026-03-01T10:00:0${i}.000Z`;
      await given(fixture.store, customerStream(customerId), [{ type: 'CustomerCreated', data: { customerId, partnerId, companyName: `Company ${i}`, domain: null, createdAt } }]);
    }
    await fixture.project();
  });

  afterAll(() => fixture.close());

  it('lists only the partner’s own customers, oldest first, page by page', async () => {
    const first = await handler.execute(new ListCustomers('contoso', { size: 1 }));
    expect(first).toMatchObject({ totalCount: 2, items: [{ id: customers[0], companyName: 'Company 0', domain: null, partnerId: 'contoso' }] });
    const second = await handler.execute(new ListCustomers('contoso', { size: 1, continuationToken: first.continuationToken }));
    expect(second).toEqual({ totalCount: 2, items: [{ id: customers[1], companyName: 'Company 1', domain: null, partnerId: 'contoso' }], continuationToken: null });
    expect((await handler.execute(new ListCustomers('northwind', { size: 10 }))).items.map((c) => c.id)).toEqual([customers[2]]);
  });
});
