import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { LogFollowers, RunTestClockAdvanceHandler } from '@mfh/application';
import { QUEUES } from '@mfh/messaging';
import { CheckpointedLogFollowers } from './log-followers.service';
import { TestClockProcessor } from './test-clock.processor';
import { testClockReactor } from './test-clock.reactor';

/** Sandbox time: advances of test clocks, run where the log's followers run so that each can wait for their effects. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.testClocks })],
  providers: [testClockReactor, TestClockProcessor, RunTestClockAdvanceHandler, { provide: LogFollowers, useClass: CheckpointedLogFollowers }],
})
export class TestClocksModule {}
