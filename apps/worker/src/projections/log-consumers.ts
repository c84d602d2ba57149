import { FactoryProvider, Injectable, Type } from '@nestjs/common';
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

/** A provider that registers a feature's reactor with the catch-up service when the module is built. */
export function registeredConsumer(consumer: Type<LogConsumer>): FactoryProvider {
  return {
    provide: Symbol(`log consumer ${consumer.name}`),
    useFactory: (consumers: LogConsumers, instance: LogConsumer) => consumers.register(instance),
    inject: [LogConsumers, consumer],
  };
}
