import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@mfh/config';
import { Migration, retryWhileUnavailable, runMigrations } from '@mfh/event-store';
import { READ_MODELS_POOL } from '@mfh/read-models';
import type { Pool } from 'pg';

const migrations: Migration[] = [
  {
    id: '001-secrets',
    sql: `CREATE TABLE secrets (name text PRIMARY KEY, value text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  },
];

/**
 * Secrets the system makes for itself when the environment gives none (signing key, activation
 * code key). The first process to start creates each one; every other process reads the same value.
 */
@Injectable()
export class SecretStore {
  private migrated: Promise<void> | null = null;

  constructor(
    @Inject(READ_MODELS_POOL) private readonly pool: Pool,
    private readonly config: AppConfig,
  ) {}

  /** Waits for PostgreSQL while it cannot be reached: this runs while the process starts. */
  getOrCreate(name: string, create: () => Promise<string>): Promise<string> {
    return retryWhileUnavailable(async () => {
      this.migrated ??= runMigrations(this.pool, this.config.DATABASE_SCHEMA, 'secrets', migrations).catch((error: unknown) => {
        this.migrated = null;
        throw error;
      });
      await this.migrated;
      const existing = await this.read(name);
      if (existing !== null) return existing;
      await this.pool.query('INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, await create()]);
      return (await this.read(name))!;
    }, { what: `secret ${name}` });
  }

  private async read(name: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM secrets WHERE name = $1', [name]);
    return rows[0]?.value ?? null;
  }
}
