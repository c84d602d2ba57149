import { BullModule } from '@nestjs/bullmq';
import type { DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@mfh/config';
import { bullConnection, DEFAULT_JOB_OPTIONS } from './queues';

/** The queues' Redis connection, key prefix and default job options, shared by every queue a process registers. */
export const messagingModule = (config: AppConfig): DynamicModule =>
  BullModule.forRoot({ connection: bullConnection(config), prefix: config.QUEUE_PREFIX, defaultJobOptions: DEFAULT_JOB_OPTIONS });
