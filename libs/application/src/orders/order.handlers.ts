import type { Type } from '@nestjs/common';
import { CompleteOrderHandler } from './complete-order/complete-order.handler';
import { GetActivationLinksHandler } from './get-activation-links/get-activation-links.handler';
import { GetOrderHandler } from './get-order/get-order.handler';
import { PlaceOrderHandler } from './place-order/place-order.handler';

/** The partner's use cases on orders; the worker's order recovery runs CompleteOrder too (ListOrders has its own list). */
export const ORDER_HANDLERS: Type[] = [PlaceOrderHandler, CompleteOrderHandler, GetOrderHandler, GetActivationLinksHandler];
