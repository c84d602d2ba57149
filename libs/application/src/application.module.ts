import { DynamicModule, Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock';
import { CommandExecutor } from './command-executor';
import { LifecycleLogger } from './lifecycle-logger';

@Global()
@Module({})
export class ApplicationModule {
  static forRoot(clock: Clock = new SystemClock()): DynamicModule {
    return {
      module: ApplicationModule,
      providers: [CommandExecutor, LifecycleLogger, { provide: Clock, useValue: clock }],
      exports: [CommandExecutor, Clock, LifecycleLogger],
    };
  }
}
