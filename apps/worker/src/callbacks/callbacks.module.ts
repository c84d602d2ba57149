import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@mfh/messaging';
import { CallbackProcessor } from './callback.processor';

/** Applies the publishers' callbacks the api's receiver queued. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.callbacks })],
  providers: [CallbackProcessor],
})
export class CallbacksModule {}
