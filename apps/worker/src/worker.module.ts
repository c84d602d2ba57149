import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { CoreOverrides, coreModules, QUEUES } from '@mfh/application';
import { AppConfig } from '@mfh/config';
import { OrderCompletionProcessor } from './orders/order-completion.processor';
import { OrderCompletionReactor } from './orders/order-completion.reactor';
import { CatchUpService } from './projections/catch-up.service';

export type WorkerOverrides = CoreOverrides;

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, overrides: WorkerOverrides = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ...coreModules(config, 'worker', overrides),
        BullModule.registerQueue({ name: QUEUES.orders }),
      ],
      providers: [CatchUpService, OrderCompletionReactor, OrderCompletionProcessor],
      exports: [CatchUpService],
    };
  }
}
