import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { customerStream, type CustomerCommand } from '@mfh/domain';
import { customerDecider } from '@mfh/domain/deciders';
import { derivedId } from '@mfh/event-store';
import { randomUUID } from 'node:crypto';
import type { ExistingCustomer } from '@mfh/domain';
import { customerOfPartner } from '../../access/tenancy';
import { CommandExecutor } from '../../command-executor';
import { SandboxErrors } from '../../test-clocks/sandbox.errors';
import { AppConfig } from '@mfh/config';
import { CreateCustomer } from './create-customer.command';

@CommandHandler(CreateCustomer)
export class CreateCustomerHandler implements ICommandHandler<CreateCustomer> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly config: AppConfig,
  ) {}

  async execute({ partnerId, companyName, domain, testClockId, idempotencyKey, metadata }: CreateCustomer): Promise<ExistingCustomer> {
    if (testClockId !== null && !this.config.SANDBOX) throw SandboxErrors.disabled('testClockId');
    const customerId = idempotencyKey ? derivedId('customer', partnerId, idempotencyKey) : randomUUID();
    const { state } = await this.executor.execute({
      stream: customerStream(customerId),
      decider: customerDecider,
      commands: (_state, now): CustomerCommand => ({ type: 'CreateCustomer', data: { customerId, partnerId, companyName, domain, testClockId, now } }),
      testClockId,
      metadata,
    });
    return customerOfPartner(partnerId)(state);
  }
}
