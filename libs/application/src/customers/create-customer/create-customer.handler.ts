import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { customerStream } from '@mfh/domain';
import { customerDecider } from '@mfh/domain/deciders';
import { derivedId } from '@mfh/event-store';
import { randomUUID } from 'node:crypto';
import type { ExistingCustomer } from '@mfh/domain';
import { customerOfPartner } from '../../access/tenancy';
import { CommandExecutor } from '../../command-executor';
import { CreateCustomer } from './create-customer.command';

@CommandHandler(CreateCustomer)
export class CreateCustomerHandler implements ICommandHandler<CreateCustomer> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ partnerId, companyName, domain, idempotencyKey, metadata }: CreateCustomer): Promise<ExistingCustomer> {
    const customerId = idempotencyKey ? derivedId('customer', partnerId, idempotencyKey) : randomUUID();
    const { state } = await this.executor.execute({
      stream: customerStream(customerId),
      decider: customerDecider,
      commands: { type: 'CreateCustomer', data: { customerId, partnerId, companyName, domain, now: metadata.occurredAt } },
      metadata,
    });
    return customerOfPartner(partnerId)(state);
  }
}
