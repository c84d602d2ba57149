import type { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger } from 'pino';
import type { AppConfig } from './app-config';

/**
 * Structured JSON logs, one line per entry, with the service name on each. Written to stdout
 * asynchronously: a line goes out at once when no write is in flight, and the lines logged during
 * one write go out together in the next, instead of a blocking write per line (an eighth of a
 * fulfillment API read). pino flushes what is left on exit; a SIGKILL loses the lines of the write
 * in flight at most.
 */
export function createLogger(config: AppConfig, service: string, destination?: DestinationStream): Logger {
  const options = { level: config.LOG_LEVEL, base: { service }, timestamp: pino.stdTimeFunctions.isoTime };
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}

/** Routes NestJS's own log calls into pino, keeping Nest's context as a field. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }

  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }

  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }

  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }

  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
