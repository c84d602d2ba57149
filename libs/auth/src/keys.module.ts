import { Module } from '@nestjs/common';
import { SecretStore } from './secret-store';
import { SigningKeys } from './signing-keys.service';

@Module({ providers: [SecretStore, SigningKeys], exports: [SecretStore, SigningKeys] })
export class KeysModule {}
