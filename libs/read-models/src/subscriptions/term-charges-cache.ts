import { AppendWatch, batchedLoader, BoundedCache, schemaChannel, schemaChannelSql, watchPostgresChannel } from '@mfh/event-store';
import type { Pool } from 'pg';
import type { TermCharges } from './subscription.row';

const CHANNEL_PREFIX = 'mfh_term_charges_';
/** Subscriptions whose term charges are kept, and whose announced changes are remembered. */
const KEPT = 10_000;
/**
 * How long an answer is kept at most: the bound on its age should announcements stop arriving
 * unnoticed (a connection cut silently is noticed by TCP keep-alive only after some seconds).
 */
export const TERM_CHARGES_KEPT_MS = 2_000;

/** The channel on which the subscriptions table of `schema` announces changed term charges. */
export function termChargesChannel(schema: string): string {
  return schemaChannel(CHANNEL_PREFIX, schema);
}

/** The same channel in SQL, for the schema the writer's search_path selects. */
export const TERM_CHARGES_CHANNEL_SQL = schemaChannelSql(CHANNEL_PREFIX, 'current_schema()');

/** The payload that says every subscription's charges may have changed (a rebuilt table swapped in). */
export const EVERY_SUBSCRIPTION = '*';

/**
 * Each subscription's term charges as the read model holds them, kept while this process listens
 * for their changes: the projection's save announces each subscription whose charges it changes, at
 * its commit (subscriptionsTable.save), and a rebuild announces all of them when it swaps its tables
 * in. A read goes to PostgreSQL (batched) when nothing is kept, and its answer is kept only if no
 * change of that subscription was announced since the read was asked for, nor was the connection
 * lost or opened again, when whatever was kept is dropped. So a kept answer is at most as old as an
 * announcement's trip from PostgreSQL, and while not listening every read asks the database.
 */
export class TermChargesCache {
  private readonly kept = new BoundedCache<string, { charges: TermCharges | null; until: number }>(KEPT);
  /** The announcement count at each subscription's last announced change, since everything was last dropped. */
  private readonly changedAt = new Map<string, number>();
  private announcements = 0;
  /** The announcement count when everything kept was last dropped. */
  private clearedAt = 0;
  private connected = false;
  private watch: AppendWatch | null = null;
  private closed = false;

  /** Concurrent reads go together, one round trip for many (batchedLoader). */
  private readonly reads = batchedLoader(async (ids: readonly string[]) => {
    const { rows } = await this.pool.query<{ id: string; term_charges: TermCharges | null }>(
      'SELECT id, term_charges FROM subscriptions WHERE id = ANY($1::uuid[])',
      [ids],
    );
    const byId = new Map(rows.map((row) => [row.id, row.term_charges]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  constructor(
    private readonly pool: Pool,
    private readonly keptMs = TERM_CHARGES_KEPT_MS,
  ) {}

  /** True while announcements can reach it: only then is anything kept. */
  get listening(): boolean {
    return this.connected;
  }

  async of(id: string): Promise<TermCharges | null> {
    // Only a process that reads charges listens for them.
    if (this.watch === null && !this.closed) this.watch = this.listen();
    if (this.connected) {
      const kept = this.kept.get(id);
      if (kept !== undefined && kept.until > Date.now()) return kept.charges;
    }
    const asked = this.announcements;
    const charges = await this.reads.load(id);
    if (this.connected && this.clearedAt <= asked && (this.changedAt.get(id) ?? 0) <= asked) {
      this.kept.set(id, { charges, until: Date.now() + this.keptMs });
    }
    return charges;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.connected = false;
    await this.watch?.close();
  }

  private listen(): AppendWatch {
    return watchPostgresChannel(
      this.pool,
      termChargesChannel,
      {
        // Every (re)connection: what changed while away went unannounced.
        appended: () => {
          this.dropAll();
          this.connected = !this.closed;
        },
        interrupted: () => {
          this.connected = false;
          this.dropAll();
        },
      },
      (payload) => this.changed(payload),
    );
  }

  private changed(id: string): void {
    this.announcements++;
    if (id === EVERY_SUBSCRIPTION) return this.dropAll();
    this.kept.delete(id);
    // Bounded by dropping everything: forgetting one announcement could let an answer read before it be kept.
    if (this.changedAt.size >= KEPT) return this.dropAll();
    this.changedAt.set(id, this.announcements);
  }

  private dropAll(): void {
    this.kept.clear();
    this.changedAt.clear();
    this.clearedAt = ++this.announcements;
  }
}
