import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ActivationCodes } from '../activation/activation-codes.service';
import { AuthGuard } from './auth.guard';
import { JwksController } from './jwks.controller';
import { SecretStore } from './secret-store';
import { SigningKeys } from './signing-keys.service';
import { TokenController } from './token.controller';

@Module({
  controllers: [TokenController, JwksController],
  providers: [SecretStore, SigningKeys, ActivationCodes, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [SigningKeys, ActivationCodes],
})
export class AuthModule {}
