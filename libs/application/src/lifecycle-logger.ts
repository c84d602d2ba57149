import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';

/** Says when the process is ready and when it begins a graceful shutdown, and why. */
@Injectable()
export class LifecycleLogger implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Lifecycle');

  onApplicationBootstrap(): void {
    this.logger.log('started');
  }

  beforeApplicationShutdown(signal?: string): void {
    this.logger.log(`shutting down${signal ? ` on ${signal}` : ''}: finishing in-flight work, then closing connections`);
  }
}
