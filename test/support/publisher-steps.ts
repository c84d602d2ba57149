import { CommandExecutor } from '@mfh/application';
import { SubscriptionCommand, subscriptionDecider, subscriptionStream } from '@mfh/domain';
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
  for (const command of commands) {
    await executor.execute(subscriptionStream(subscriptionId), subscriptionDecider, (state) => subscriptionDecider.decide(command, state), {
      metadata,
    });
  }
}

/** Licenses assigned, fulfilment confirmed, billing started. */
export function billingStarted(system: TestSystem, subscriptionId: string, quantity: number, planId = 'standard'): Promise<void> {
  return publisherDoes(
    system,
    subscriptionId,
    { type: 'RecordLicensesAssigned', data: { assignedSeats: quantity } },
    { type: 'ConfirmFulfillment', data: { planId, quantity } },
    { type: 'StartBilling', data: { now: system.clock.now().toISOString() } },
  );
}
