import type { Type } from '@nestjs/common';
import { ChangeSuspensionHandler } from './change-suspension/change-suspension.handler';

/** The admin's use cases on subscriptions: suspension and reinstatement as the marketplace. */
export const ADMIN_SUBSCRIPTION_HANDLERS: Type[] = [ChangeSuspensionHandler];
