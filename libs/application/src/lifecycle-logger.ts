import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';

/** Says when the process is ready and when it begins a graceful shutdown, and why. */
@Injectable()
export class LifecycleLogger implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Lifecycle');

  /** Called once the process serves and its shutdown hooks are in place, so "started" means a signal is handled. */
  started(): void {
    this.logger.log('started');
  }

  beforeApplicationShutdown(signal?: string): void {
    this.logger.log(`shutting down${signal ? ` on ${signal}` : ''}: finishing in-flight work, then closing connections`);
  }
}
