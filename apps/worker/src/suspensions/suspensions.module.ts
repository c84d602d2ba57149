import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@mfh/messaging';
import { SuspensionGraceProcessor } from './suspension-grace.processor';
import { suspensionGraceReactor } from './suspension-grace.reactor';

/** A suspension not reinstated within SUSPENSION_GRACE ends the subscription (SPEC §13). */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.suspensions })],
  providers: [suspensionGraceReactor, SuspensionGraceProcessor],
})
export class SuspensionsModule {}
