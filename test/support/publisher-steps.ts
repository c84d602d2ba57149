import { CommandExecutor } from '@mfh/application/command-executor';
import { SubscriptionCommand, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import type { EventMetadata } from '@mfh/event-store';
import { randomUUID } from 'node:crypto';
import type { TestSystem } from './system';

/**
 * Runs publisher-side commands straight through the command path, for partner tests that need a
 * subscription in a state only the publisher can bring about.
 */
export async function publisherDoes(system: TestSystem, subscriptionId: string, ...commands: SubscriptionCommand[]): Promise<void> {
  const executor = system.api.get(CommandExecutor);
  const metadata: EventMetadata = {
    actor: 'fabrikam-publisher',
    role: 'publisher',
    source: 'Publisher',
    correlationId: randomUUID(),
    causationId: randomUUID(),
    requestId: randomUUID(),
    occurredAt: system.clock.now().toISOString(),
  };
  for (const command of commands) await executor.execute({ stream: subscriptionStream(subscriptionId), decider: subscriptionDecider, commands: command, metadata });
}

/** Licenses assigned, fulfilment confirmed, billing started. */
export function billingStarted(system: TestSystem, subscriptionId: string, quantity: number, planId = 'standard'): Promise<void> {
  return publisherDoes(
    system,
    subscriptionId,
    { type: 'RecordLicensesAssigned', data: { assignedSeats: quantity } },
    { type: 'ConfirmFulfillment', data: { planId, quantity, pricedPerSeat: true } },
    { type: 'StartBilling', data: { now: system.clock.now().toISOString() } },
  );
}
