import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@mfh/config';
import { EncryptJWT, errors, jwtDecrypt } from 'jose';
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { SecretStore } from './secret-store';

export interface ActivationGrant {
  subscriptionId: string;
  publisherId: string;
}

export type OpenedCode = { ok: true; grant: ActivationGrant } | { ok: false; reason: 'invalid' | 'expired' };

/**
 * The authorization code in an activation link: an encrypted, authenticated JWT (JWE, dir +
 * A256GCM). Opaque to whoever holds it, any change to it fails decryption, and it expires.
 */
@Injectable()
export class ActivationCodes implements OnModuleInit {
  /** A Web Crypto key, imported once: handed a KeyObject, jose would import it again on every code. */
  private key!: webcrypto.CryptoKey;

  constructor(
    private readonly config: AppConfig,
    private readonly secrets: SecretStore,
  ) {}

  async onModuleInit(): Promise<void> {
    const secret =
      this.config.ACTIVATION_CODE_SECRET ??
      (await this.secrets.getOrCreate('activation-code-key', async () => randomBytes(32).toString('base64url')));
    this.key = await webcrypto.subtle.importKey('raw', createHash('sha256').update(secret).digest(), 'AES-GCM', false, ['encrypt', 'decrypt']);
  }

  issue(grant: ActivationGrant, now = new Date()): Promise<string> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    return new EncryptJWT({ pub: grant.publisherId })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: 'activation-code' })
      .setSubject(grant.subscriptionId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.config.ACTIVATION_CODE_TTL_SECONDS)
      .encrypt(this.key);
  }

  async open(code: string): Promise<OpenedCode> {
    try {
      const { payload } = await jwtDecrypt(code, this.key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      if (typeof payload.sub !== 'string' || typeof payload.pub !== 'string') return { ok: false, reason: 'invalid' };
      return { ok: true, grant: { subscriptionId: payload.sub, publisherId: payload.pub } };
    } catch (error) {
      return { ok: false, reason: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
    }
  }

  /** The publisher's landing page with `?token=<code>`. */
  async link(landingPageUrl: string, grant: ActivationGrant): Promise<string> {
    const url = new URL(landingPageUrl);
    url.searchParams.set('token', await this.issue(grant));
    return url.toString();
  }
}
