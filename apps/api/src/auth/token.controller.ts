import { Body, Controller, Header, HttpCode, Post, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AppConfig, Catalog, UNMATCHABLE_SECRET_HASH, verifySecret } from '@mfh/config';
import type { FastifyReply } from 'fastify';
import { AcceptsForms } from '../http/json-body.guard';
import { Public } from './auth.decorators';
import { HashingGate } from './hashing-gate';
import { tokenRequestsRefused, TokenThrottled } from './token-throttle';
import { API_AUDIENCE } from '@mfh/auth';
import { SigningKeys } from '@mfh/auth';

export class TokenRequest {
  @ApiProperty({ example: 'client_credentials' }) grant_type!: string;
  @ApiProperty({ example: 'contoso-partner' }) client_id!: string;
  @ApiProperty({ example: 'contoso-secret' }) client_secret!: string;
}

export class TokenResponse {
  @ApiProperty() access_token!: string;
  @ApiProperty({ example: 'Bearer' }) token_type!: 'Bearer';
  @ApiProperty({ example: 3600 }) expires_in!: number;
}

type OAuthError = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'temporarily_unavailable';

const MAX_SECRET_LENGTH = 1024;

/** OAuth 2.0 client credentials (RFC 6749 §4.4); errors in OAuth's own format (§5.2), not problem details. */
@ApiTags('auth')
@Controller('oauth2')
export class TokenController {
  private readonly hashing: HashingGate;

  constructor(
    private readonly catalog: Catalog,
    private readonly keys: SigningKeys,
    private readonly config: AppConfig,
  ) {
    this.hashing = new HashingGate(config.TOKEN_HASH_CONCURRENCY, config.TOKEN_HASH_MAX_WAITING);
  }

  @Public()
  @AcceptsForms()
  @Post('token')
  @TokenThrottled()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Get an access token with the client-credentials grant (form-encoded or JSON body)' })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: TokenRequest })
  @ApiOkResponse({ type: TokenResponse })
  @ApiUnauthorizedResponse({ description: '{"error": "invalid_client"}' })
  @ApiTooManyRequestsResponse({ description: '{"error": "slow_down"} with Retry-After: too many requests from this address or for this client_id' })
  @ApiServiceUnavailableResponse({ description: '{"error": "temporarily_unavailable"} with Retry-After: too many secrets already waiting to be checked' })
  async token(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<TokenResponse | { error: OAuthError; error_description: string }> {
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const { grant_type: grantType, client_id: clientId, client_secret: clientSecret } = fields;
    if (typeof grantType !== 'string' || typeof clientId !== 'string' || typeof clientSecret !== 'string') {
      void reply.status(400);
      return { error: 'invalid_request', error_description: 'grant_type, client_id and client_secret are required strings.' };
    }
    if (grantType !== 'client_credentials') {
      void reply.status(400);
      return { error: 'unsupported_grant_type', error_description: 'Only client_credentials is supported.' };
    }
    const client = this.catalog.client(clientId);
    // An unknown client is hashed too, against a hash nothing matches: its answer takes as long as a wrong secret's.
    const verified =
      clientSecret.length <= MAX_SECRET_LENGTH
        ? await this.hashing.tryRun(() => verifySecret(clientSecret, client?.secretHash ?? UNMATCHABLE_SECRET_HASH))
        : false;
    if (verified === null) {
      tokenRequestsRefused.inc({ reason: 'hashing-busy' });
      void reply.status(503).header('Retry-After', '1');
      return { error: 'temporarily_unavailable', error_description: 'Too many token requests are being checked; retry after 1 s.' };
    }
    if (!client || !verified) {
      void reply.status(401).header('WWW-Authenticate', 'Basic realm="oauth2"');
      return { error: 'invalid_client', error_description: 'Unknown client or wrong secret.' };
    }
    const expiresIn = this.config.TOKEN_TTL_SECONDS;
    const accessToken = await this.keys.sign(
      { role: client.role, ...(client.tenantId ? { tid: client.tenantId } : {}) },
      { subject: client.clientId, audience: API_AUDIENCE, expiresInSeconds: expiresIn },
    );
    return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn };
  }
}
