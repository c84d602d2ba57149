import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { JwksController } from './jwks.controller';
import { KeysModule } from '@mfh/auth';
import { TokenController } from './token.controller';

@Module({
  imports: [KeysModule],
  controllers: [TokenController, JwksController],
  providers: [{ provide: APP_GUARD, useClass: AuthGuard }],
  exports: [KeysModule],
})
export class AuthModule {}
