import { Global, Module } from '@nestjs/common';
import { CommandExecutor } from './command-executor';
import { LifecycleLogger } from './lifecycle-logger';

@Global()
@Module({ providers: [CommandExecutor, LifecycleLogger], exports: [CommandExecutor] })
export class ApplicationModule {}
