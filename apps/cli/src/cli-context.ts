import { AppConfig, loadConfig } from '@mfh/config';
import { createEventStore, createPgPool, EventStore, formatPosition, GlobalPosition, PostgresEventStore } from '@mfh/event-store';
import { SubscriptionsRepository } from '@mfh/read-models';
import type { Pool } from 'pg';

/** 0 done; 1 the check failed (a broken chain, rows that differ, an unknown subscription); 2 bad usage or settings; 3 could not run. */
export const EXIT = { ok: 0, failed: 1, usage: 2, error: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An expected way for a command to end: its message goes to stderr, its code to the shell. */
export class CliExit extends Error {
  constructor(
    readonly code: ExitCode,
    message = '',
  ) {
    super(message);
    this.name = 'CliExit';
  }
}

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
}

/** What commands share: the settings, and the event store opened on first use and closed at the end. */
export class CliContext {
  private config: AppConfig | null = null;
  private store: Promise<EventStore> | null = null;
  private readModels: Pool | null = null;

  constructor(readonly io: CliIo) {}

  settings(): AppConfig {
    this.config ??= loadConfig(this.io.env);
    return this.config;
  }

  eventStore(): Promise<EventStore> {
    const config = this.settings();
    // Auditors' reads change nothing: a wrong schema is an error, not a new empty event store.
    this.store ??= createEventStore({ url: config.eventStoreUrl, schema: config.DATABASE_SCHEMA, poolSize: 4, migrate: false });
    return this.store;
  }

  /**
   * How many events follow `after`, for a progress bar's total; null when the store cannot say
   * cheaply (EventStoreDB). A total, not a guarantee.
   */
  async countEvents(after: GlobalPosition | null = null): Promise<number | null> {
    const store = await this.eventStore();
    if (!(store instanceof PostgresEventStore)) return null;
    return store.countAfter(after).catch(() => null);
  }

  /** The subscriptions read model (DATABASE_URL), on a pool opened on first use and ended by close. */
  subscriptions(): SubscriptionsRepository {
    if (!this.readModels) {
      const config = this.settings();
      this.readModels = createPgPool({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, max: 2, applicationName: 'mfh-cli' });
    }
    return new SubscriptionsRepository(this.readModels);
  }

  async close(): Promise<void> {
    const store = await this.store?.catch(() => null);
    await store?.close();
    await this.readModels?.end();
  }
}

/** Writes and waits while the stream's buffer is full. */
export async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await new Promise<void>((resolve) => stream.once('drain', resolve));
}

export const count = (n: number) => n.toLocaleString('en-US');

export const position = (p: GlobalPosition | null) => (p ? formatPosition(p) : 'start');

export function rate(events: number, ms: number): string {
  return ms > 0 ? `${count(Math.round((events / ms) * 1000))} events/s` : '-';
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
