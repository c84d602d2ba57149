import type { Type } from '@nestjs/common';
import { AdvanceTestClockHandler } from './advance-test-clock/advance-test-clock.handler';
import { CreateTestClockHandler } from './create-test-clock/create-test-clock.handler';
import { GetTestClockHandler } from './get-test-clock/get-test-clock.handler';
import { ListTestClocksHandler } from './list-test-clocks/list-test-clocks.handler';

/**
 * The admin's test clocks (SPEC §14). Running an advance (RunTestClockAdvanceHandler) belongs to the
 * process that follows the log, which registers it with its LogFollowers.
 */
export const TEST_CLOCK_HANDLERS: Type[] = [CreateTestClockHandler, AdvanceTestClockHandler, GetTestClockHandler, ListTestClocksHandler];
