import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@mfh/config';
import { calculateJwkThumbprint, CryptoKey, exportJWK, generateKeyPair, importJWK, JWK, JWTPayload, jwtVerify, SignJWT } from 'jose';
import { SecretStore } from './secret-store';
import { BoundedCache } from '@mfh/event-store';

const ALGORITHM = 'RS256';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

export const TOKEN_ISSUER = 'marketplace-fulfillment-hub';
export const API_AUDIENCE = 'marketplace-fulfillment-hub-api';

/**
 * The key pair that signs access tokens and publisher notifications. RS256 because every JWT
 * library can verify it, and verifying it is cheap on the hot path.
 */
@Injectable()
export class SigningKeys implements OnModuleInit {
  private privateKey!: CryptoKey;
  private publicKey!: CryptoKey;
  private publicJwk!: JWK;
  private readonly verified = new BoundedCache<string, JWTPayload>(10_000);

  constructor(
    private readonly config: AppConfig,
    private readonly secrets: SecretStore,
  ) {}

  async onModuleInit(): Promise<void> {
    const text = this.config.SIGNING_KEY ?? (await this.secrets.getOrCreate('signing-key', generateSigningKey));
    const jwk = JSON.parse(text) as JWK;
    const kid = jwk.kid ?? (await calculateJwkThumbprint(jwk));
    this.privateKey = (await importJWK({ ...jwk, alg: ALGORITHM }, ALGORITHM)) as CryptoKey;
    const publicJwk: JWK = { ...jwk, kid, alg: ALGORITHM, use: 'sig' };
    for (const member of PRIVATE_MEMBERS) delete publicJwk[member];
    this.publicJwk = publicJwk;
    this.publicKey = (await importJWK(publicJwk, ALGORITHM)) as CryptoKey;
  }

  get keyId(): string {
    return this.publicJwk.kid!;
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  sign(claims: JWTPayload, options: { subject: string; audience: string; expiresInSeconds: number }): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALGORITHM, kid: this.keyId, typ: 'JWT' })
      .setIssuer(TOKEN_ISSUER)
      .setSubject(options.subject)
      .setAudience(options.audience)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + options.expiresInSeconds)
      .sign(this.privateKey);
  }

  /** Verified tokens are remembered until they expire: a token that verified once stays valid until then. */
  async verify(token: string, audience: string): Promise<JWTPayload> {
    const key = `${audience} ${token}`;
    const remembered = this.verified.get(key);
    if (remembered && (remembered.exp ?? 0) * 1000 > Date.now()) return remembered;
    const { payload } = await jwtVerify(token, this.publicKey, { issuer: TOKEN_ISSUER, audience, algorithms: [ALGORITHM] });
    this.verified.set(key, payload);
    return payload;
  }
}

async function generateSigningKey(): Promise<string> {
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  return JSON.stringify({ ...jwk, kid: await calculateJwkThumbprint(jwk) });
}
