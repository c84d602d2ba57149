import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ListTimers, SubscriptionTimers } from '@mfh/application';
import { Roles } from '../auth/auth.decorators';
import { ProblemDto } from '../partners/dto/common.dto';
import { TimerListResponse, TimersQuery } from './timers.dto';

/** The business-time timers of a subscription (operation auto-accepts, renewals, billing cycles), for admins. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@ApiForbiddenResponse({ type: ProblemDto, description: 'Only the admin role may call these' })
@Controller('v1/admin/timers')
export class TimersController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: "A subscription's timers with their due time, kind and state (read model; new ones appear once projected)" })
  @ApiOkResponse({ type: TimerListResponse })
  @ApiBadRequestResponse({ type: ProblemDto })
  list(@Query() query: TimersQuery): Promise<SubscriptionTimers> {
    return this.queries.execute(new ListTimers(query.subscriptionId));
  }
}
