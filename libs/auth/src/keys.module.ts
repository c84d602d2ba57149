import { Module } from '@nestjs/common';
import { ActivationCodes } from './activation-codes.service';
import { SecretStore } from './secret-store';
import { SigningKeys } from './signing-keys.service';

/** The keys this system signs and seals with: token signing keys and the activation-code key. */
@Module({ providers: [SecretStore, SigningKeys, ActivationCodes], exports: [SecretStore, SigningKeys, ActivationCodes] })
export class KeysModule {}
