import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';

/** The auditor role: every subscription's history, its state at any moment, its hash chain, and the global feed. Reads only. */
@Module({
  controllers: [AuditController],
})
export class AuditorsModule {}
