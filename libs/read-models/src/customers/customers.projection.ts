import type { CustomerEvent } from '@mfh/domain';
import { eventsOfType } from '@mfh/event-store';
import type { GuardedEvent, Projection } from '../projections/projection';
import type { CustomerRow } from './customer.row';
import { customersTable } from './customers.repository';

export const customerRowEvents = eventsOfType<CustomerEvent>()('CustomerCreated');
export type CustomerRowEvent = GuardedEvent<typeof customerRowEvents>;

const STREAM = /^customer-(.+)$/;

export function evolveCustomerRow(_row: CustomerRow | null, event: CustomerRowEvent): CustomerRow | null {
  const { data } = event;
  return {
    key: data.customerId,
    revision: event.revision,
    partnerId: data.partnerId,
    companyName: data.companyName,
    domain: data.domain,
    createdAt: data.createdAt,
    testClockId: data.testClockId ?? null,
  };
}

/** Every customer, for its partner's customer list. */
export const customersProjection: Projection<CustomerRow, CustomerRowEvent> = {
  name: 'customers',
  tables: ['customers'],
  canHandle: customerRowEvents,
  keyOf: (event) => STREAM.exec(event.streamId)?.[1] ?? null,
  evolve: evolveCustomerRow,
  load: customersTable.load,
  save: customersTable.save,
};
