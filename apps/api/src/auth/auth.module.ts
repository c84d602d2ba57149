import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ActivationCodes } from '../activation/activation-codes.service';
import { AuthGuard } from './auth.guard';
import { JwksController } from './jwks.controller';
import { KeysModule } from '@mfh/auth';
import { TokenController } from './token.controller';

@Module({
  imports: [KeysModule],
  controllers: [TokenController, JwksController],
  providers: [ActivationCodes, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [KeysModule, ActivationCodes],
})
export class AuthModule {}
