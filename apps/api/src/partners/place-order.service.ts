import { Injectable } from '@nestjs/common';
import { CommandExecutor, completeOrder } from '@mfh/application';
import { derivedId } from '@mfh/event-store';
import { Catalog } from '@mfh/config';
import {
  DomainError,
  isDomainError,
  OrderLineItem,
  OrderPlacedData,
  orderDecider,
  orderStream,
  purchasesOf,
  subscriptionDecider,
} from '@mfh/domain';
import type { EventMetadata } from '@mfh/event-store';
import type { PlacedOrder } from '@mfh/read-models';
import { createHash, randomUUID } from 'node:crypto';
import { ProblemException } from '../http/problem';
import type { OrderLineItemRequest, PlaceOrderRequest } from './dto/order.dto';
import { PartnerAccess } from './partner-access.service';

/**
 * Places an order and buys one subscription per line item. Every line is checked against the
 * catalog and the purchase rules before anything is recorded, so an order never half-fails.
 */
@Injectable()
export class PlaceOrderService {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly catalog: Catalog,
    private readonly access: PartnerAccess,
  ) {}

  async place(
    partnerId: string,
    customerId: string,
    request: PlaceOrderRequest,
    idempotencyKey: string | null,
    metadata: EventMetadata,
  ): Promise<PlacedOrder> {
    await this.access.customer(partnerId, customerId);
    const orderId = idempotencyKey ? derivedId('order', partnerId, customerId, idempotencyKey) : randomUUID();
    const order: OrderPlacedData = {
      orderId,
      customerId,
      partnerId,
      lineItems: request.lineItems.map((item, index) => this.lineItem(orderId, item, index)),
      requestFingerprint: fingerprint(customerId, request),
      placedAt: metadata.occurredAt,
    };
    purchasesOf(order).forEach((purchase, index) => {
      try {
        subscriptionDecider.decide(purchase, subscriptionDecider.initialState());
      } catch (error) {
        if (!isDomainError(error)) throw error;
        throw atLine(error, index);
      }
    });

    const placed = await this.executor.execute(orderStream(orderId), orderDecider, (state) => orderDecider.decide({ type: 'PlaceOrder', data: order }, state), {
      metadata,
      eventId: (index) => derivedId(orderId, 'placed', index),
    });
    if (placed.state.status === 'completed') return placed.state;
    if (placed.state.status === 'none') throw new Error(`order ${orderId} vanished after placement`);
    const completed = await completeOrder(this.executor, placed.state, metadata);
    if (completed.status === 'none') throw new Error(`order ${orderId} vanished after completion`);
    return completed;
  }

  private lineItem(orderId: string, item: OrderLineItemRequest, index: number): OrderLineItem {
    const pointer = `/lineItems/${index}`;
    const offer = this.catalog.offer(item.offerId);
    if (!offer) throw new ProblemException(400, 'unknown-offer', `lineItems[${index}]: there is no offer ${item.offerId}.`, { pointer: `${pointer}/offerId` });
    const plan = this.catalog.plan(item.offerId, item.planId);
    if (!plan || plan.isPrivate) {
      throw new ProblemException(400, 'unknown-plan', `lineItems[${index}]: offer ${item.offerId} has no plan ${item.planId}.`, {
        pointer: `${pointer}/planId`,
      });
    }
    const terms = this.catalog.purchaseTerms(item.offerId, item.planId, item.termDuration);
    if (!terms) {
      throw new ProblemException(400, 'unavailable-term', `lineItems[${index}]: ${item.termDuration} is not sold for this plan.`, {
        pointer: `${pointer}/termDuration`,
      });
    }
    const lineItemNumber = index + 1;
    return {
      lineItemNumber,
      subscriptionId: derivedId(orderId, lineItemNumber, 'subscription'),
      offerId: offer.id,
      offerName: offer.name,
      planId: plan.id,
      publisherId: terms.publisher.id,
      publisherName: terms.publisher.name,
      quantity: item.quantity,
      minQuantity: plan.minQuantity,
      maxQuantity: plan.maxQuantity,
      termDuration: item.termDuration,
      billingCycle: item.billingCycle,
      friendlyName: item.friendlyName ?? offer.name,
      partnerIdOnRecord: item.partnerIdOnRecord ?? null,
      unitPrice: terms.price.unitPrice,
      currency: terms.price.currency,
      cancellationWindowMs: terms.cancellationWindowMs,
    };
  }
}

const LINE_ITEM_FIELDS: Record<string, string> = { indirectResellerId: 'partnerIdOnRecord' };

/** The same refusal, pointing at the line item field it is about. */
function atLine(error: DomainError, index: number): DomainError {
  const field = error.field ? `/${LINE_ITEM_FIELDS[error.field] ?? error.field}` : '';
  const pointer = `/lineItems/${index}${field}`;
  return new DomainError(error.code, error.kind, `lineItems[${index}]: ${error.message}`, { ...error.extensions, pointer }, error.field);
}

/** What makes two requests "the same order" for an Idempotency-Key: the customer and every line as sent. */
function fingerprint(customerId: string, request: PlaceOrderRequest): string {
  const lines = request.lineItems.map((i) => [i.offerId, i.planId, i.quantity, i.termDuration, i.billingCycle, i.friendlyName ?? null, i.partnerIdOnRecord ?? null]);
  return createHash('sha256').update(JSON.stringify([customerId, lines])).digest('base64url');
}
