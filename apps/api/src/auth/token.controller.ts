import { Body, Controller, Header, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiProperty, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AppConfig, Catalog, verifySecret } from '@mfh/config';
import type { FastifyReply } from 'fastify';
import { AcceptsForms } from '../http/json-body.guard';
import { Public } from './auth.decorators';
import { API_AUDIENCE, SigningKeys } from '@mfh/application';

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

type OAuthError = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type';

/** OAuth 2.0 client credentials (RFC 6749 §4.4); errors in OAuth's own format (§5.2), not problem details. */
@ApiTags('auth')
@Controller('oauth2')
export class TokenController {
  constructor(
    private readonly catalog: Catalog,
    private readonly keys: SigningKeys,
    private readonly config: AppConfig,
  ) {}

  @Public()
  @AcceptsForms()
  @Post('token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Get an access token with the client-credentials grant (form-encoded or JSON body)' })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: TokenRequest })
  @ApiOkResponse({ type: TokenResponse })
  @ApiUnauthorizedResponse({ description: '{"error": "invalid_client"}' })
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
    if (!client || clientSecret.length > 1024 || !(await verifySecret(clientSecret, client.secretHash))) {
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
