import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { chargingEvents, Clock, RecordSubscriptionCharges } from '@mfh/application';
import type { RecordedEvent } from '@mfh/event-store';
import type { LogConsumer } from '@mfh/read-models';
import type { PoolClient } from 'pg';

/**
 * The charger (SPEC §12): follows the log and appends the charge lines each subscription event
 * causes to its billing period. The lines are appended before `handle` returns, so before the
 * checkpoint moves past their causes; a crash in between replays the batch, which charges nothing twice.
 */
@Injectable()
export class ChargesConsumer implements LogConsumer {
  readonly name = 'charges';

  constructor(
    private readonly commands: CommandBus,
    private readonly clock: Clock,
  ) {}

  async handle(_client: PoolClient, events: readonly RecordedEvent[]): Promise<void> {
    const causes = events.filter(chargingEvents);
    if (causes.length === 0) return;
    const last = causes[causes.length - 1];
    await this.commands.execute(
      new RecordSubscriptionCharges(causes, {
        actor: 'charges',
        role: 'system',
        source: 'System',
        correlationId: String(last.metadata.correlationId ?? last.id),
        causationId: last.id,
        requestId: last.id,
        occurredAt: this.clock.now().toISOString(),
      }),
    );
  }
}
