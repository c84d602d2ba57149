import { Module } from '@nestjs/common';
import { AppConfig } from '@mfh/config';
import type { Pool } from 'pg';
import { READ_MODELS_POOL } from '../read-models.module';
import { NotificationsRepository } from './notifications.repository';

/** The notification tables, migrated before the repository is handed out. */
@Module({
  providers: [
    {
      provide: NotificationsRepository,
      useFactory: (pool: Pool, config: AppConfig) => NotificationsRepository.open(pool, config.DATABASE_SCHEMA),
      inject: [READ_MODELS_POOL, AppConfig],
    },
  ],
  exports: [NotificationsRepository],
})
export class NotificationsStoreModule {}
