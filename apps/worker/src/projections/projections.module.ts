import { Global, Module, OnModuleInit } from '@nestjs/common';
import { projectionConsumer, readModelProjections } from '@mfh/read-models';
import { CatchUpService } from './catch-up.service';
import { LogConsumers } from './log-consumers';

/** The read models, and the catch-up service every feature's reactors run in. */
@Global()
@Module({ providers: [LogConsumers, CatchUpService], exports: [LogConsumers] })
export class ProjectionsModule implements OnModuleInit {
  constructor(private readonly consumers: LogConsumers) {}

  onModuleInit(): void {
    // The same list `projections rebuild` rebuilds, so no read model is left out of either.
    this.consumers.register(...readModelProjections.map(projectionConsumer));
  }
}
