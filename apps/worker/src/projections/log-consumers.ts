import { Injectable } from '@nestjs/common';
import type { LogConsumer } from '@mfh/read-models';

/**
 * Where features put the consumers that must follow the global log (projections, reactors), each
 * from its own module's `onModuleInit`; the catch-up service starts them all once the app is up.
 */
@Injectable()
export class LogConsumers {
  private readonly consumers: LogConsumer[] = [];

  register(...consumers: LogConsumer[]): void {
    for (const consumer of consumers) {
      if (this.consumers.some((c) => c.name === consumer.name)) throw new Error(`Two log consumers are named ${consumer.name}`);
      this.consumers.push(consumer);
    }
  }

  all(): readonly LogConsumer[] {
    return this.consumers;
  }
}
