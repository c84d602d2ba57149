import type { Type } from '@nestjs/common';
import { ListTimersHandler } from './list-timers/list-timers.handler';

/** The admin's view of business-time timers. */
export const TIMER_HANDLERS: Type[] = [ListTimersHandler];
