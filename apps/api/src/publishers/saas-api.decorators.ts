import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiHeader, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators';
import { ProblemDto } from '../partners/dto/common.dto';
import { ApiVersionGuard } from './api-version.guard';

const ID_HEADER = 'Echoed (generated when absent) and stored on the events the call causes';

/** What every controller of the fulfillment API shares: the publisher role, the api-version check, Microsoft's id headers. */
export const SaasApi = () =>
  applyDecorators(
    ApiTags('publisher (SaaS Fulfillment API v2)'),
    ApiBearerAuth(),
    ApiHeader({ name: 'x-ms-requestid', required: false, description: ID_HEADER }),
    ApiHeader({ name: 'x-ms-correlationid', required: false, description: ID_HEADER }),
    ApiBadRequestResponse({ type: ProblemDto, description: 'Malformed call, missing or unsupported api-version, or a rule of the call broken' }),
    ApiUnauthorizedResponse({ type: ProblemDto, description: 'No bearer token, or an invalid or expired one' }),
    ApiForbiddenResponse({ type: ProblemDto, description: 'The token is not a publisher’s' }),
    Roles('publisher'),
    UseGuards(ApiVersionGuard),
  );
