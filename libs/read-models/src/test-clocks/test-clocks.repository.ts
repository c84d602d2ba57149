import type { Pool, PoolClient } from 'pg';
import { isoInstant, keysetPage, Page, PageRequest } from '../pagination';
import { TestClockRow, testClockView, TestClockView } from './test-clock.row';

interface TestClockRecord {
  id: string;
  revision: string;
  name: string;
  frozen_time: string;
  status: 'ready' | 'advancing';
  advancing_to: string | null;
  created_at: string;
}

const fromRecord = (r: TestClockRecord): TestClockRow => ({
  key: r.id,
  revision: Number(r.revision),
  name: r.name,
  frozenTime: r.frozen_time,
  status: r.status,
  advancingTo: r.advancing_to,
  createdAt: r.created_at,
});

const COLUMNS = 'revision, name, frozen_time, status, advancing_to';
/** COLUMNS as reads select them, the instants as ISO text. */
const SELECTED = `revision, name, ${isoInstant('frozen_time')} AS frozen_time, status, ${isoInstant('advancing_to')} AS advancing_to`;

/** The projection's side of the table: rows by key, and upserts, inside the runner's transaction. */
export const testClocksTable = {
  async load(client: PoolClient, keys: readonly string[]): Promise<Map<string, TestClockRow>> {
    const { rows } = await client.query<TestClockRecord>(`SELECT id, ${isoInstant('created_at')} AS created_at, ${SELECTED} FROM test_clocks WHERE id = ANY($1::uuid[])`, [keys]);
    return new Map(rows.map((r) => [r.id, fromRecord(r)]));
  },

  async save(client: PoolClient, rows: readonly TestClockRow[]): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `INSERT INTO test_clocks (id, created_at, ${COLUMNS})
       SELECT r.id, r.created_at, r.revision, r.name, r.frozen_time, r.status, r.advancing_to
       FROM jsonb_to_recordset($1::jsonb)
         AS r(id uuid, created_at timestamptz, revision bigint, name text, frozen_time timestamptz, status text, advancing_to timestamptz)
       ON CONFLICT (id) DO UPDATE SET revision = EXCLUDED.revision, frozen_time = EXCLUDED.frozen_time, status = EXCLUDED.status,
         advancing_to = EXCLUDED.advancing_to`,
      [
        JSON.stringify(
          rows.map((r) => ({
            id: r.key,
            created_at: r.createdAt,
            revision: r.revision,
            name: r.name,
            frozen_time: r.frozenTime,
            status: r.status,
            advancing_to: r.advancingTo,
          })),
        ),
      ],
    );
  },
};

/** Reads of the test clocks read model; writes happen only through the projection. */
export class TestClocksRepository {
  constructor(private readonly pool: Pool) {}

  /** Every test clock, oldest first. */
  list(page: PageRequest): Promise<Page<TestClockView>> {
    return keysetPage<TestClockRecord, TestClockView>(this.pool, { table: 'test_clocks', columns: SELECTED, where: 'true', params: [] }, page, (record) =>
      testClockView(fromRecord(record)),
    );
  }
}
