import { Global, Module } from '@nestjs/common';
import { CommandExecutor } from './command-executor';

@Global()
@Module({ providers: [CommandExecutor], exports: [CommandExecutor] })
export class ApplicationModule {}
