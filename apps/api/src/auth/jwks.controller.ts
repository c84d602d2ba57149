import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from './auth.decorators';
import { SigningKeys } from '@mfh/auth';

@ApiTags('auth')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeys) {}

  @Public()
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'Public keys that verify access tokens and notifications signed by this system' })
  @ApiOkResponse({ description: 'A JSON Web Key Set' })
  jwks(): { keys: object[] } {
    return this.keys.jwks();
  }
}
