import type { Type } from '@nestjs/common';
import { RecordSubscriptionChargesHandler } from './record-charges/record-charges.handler';

/** The use cases the worker runs on money: the charges subscription events cause. */
export const BILLING_HANDLERS: Type[] = [RecordSubscriptionChargesHandler];
