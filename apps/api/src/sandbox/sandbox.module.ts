import { Module } from '@nestjs/common';
import { TestClocksController } from './test-clocks.controller';

/** Only imported when SANDBOX=true, so that otherwise its routes do not exist at all (a 404 like any unknown path). */
@Module({ controllers: [TestClocksController] })
export class SandboxModule {}
