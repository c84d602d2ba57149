import { Injectable } from '@nestjs/common';
import {
  CustomerErrors,
  customerDecider,
  customerStream,
  ExistingSubscription,
  OrderErrors,
  orderDecider,
  orderStream,
  SubscriptionErrors,
  subscriptionDecider,
  subscriptionStream,
} from '@mfh/domain';
import { EventStore, loadState } from '@mfh/event-store';
import { PlacedOrder } from '@mfh/read-models';

/**
 * Reads a partner's own aggregates straight from their streams (read-your-writes). Anything that
 * belongs to another partner is reported exactly like something that does not exist.
 */
@Injectable()
export class PartnerAccess {
  constructor(private readonly store: EventStore) {}

  async customer(partnerId: string, customerId: string) {
    const { state } = await loadState(this.store, customerStream(customerId), customerDecider);
    if (state.status === 'none' || state.partnerId !== partnerId) throw CustomerErrors.notFound();
    return state;
  }

  async order(partnerId: string, customerId: string, orderId: string): Promise<PlacedOrder> {
    const { state } = await loadState(this.store, orderStream(orderId), orderDecider);
    if (state.status === 'none' || state.partnerId !== partnerId || state.customerId !== customerId) throw OrderErrors.notFound();
    return state;
  }

  async subscription(partnerId: string, customerId: string, subscriptionId: string) {
    const { state, revision } = await loadState(this.store, subscriptionStream(subscriptionId), subscriptionDecider);
    return { state: owned(state, partnerId, customerId), revision };
  }
}

/** The subscription if this partner's customer holds it; otherwise not found. */
export function owned(state: ReturnType<typeof subscriptionDecider.initialState>, partnerId: string, customerId: string): ExistingSubscription {
  if (state.status === 'none' || state.partnerId !== partnerId || state.customerId !== customerId) throw SubscriptionErrors.notFound();
  return state;
}
