import type { ProjectionRow } from '../projections/projection';

/** A sandbox test clock as the admin sees it (SPEC §14); `key` is its id. */
export interface TestClockRow extends ProjectionRow {
  readonly name: string;
  /** Where the clock stands: mid-advance, the due time of the timers it fired last. */
  readonly frozenTime: string;
  readonly status: 'ready' | 'advancing';
  readonly advancingTo: string | null;
  readonly createdAt: string;
}

export interface TestClockView {
  id: string;
  name: string;
  frozenTime: string;
  status: 'ready' | 'advancing';
  advancingTo: string | null;
  createdAt: string;
}

export const testClockView = (row: Omit<TestClockRow, 'revision'>): TestClockView => ({
  id: row.key,
  name: row.name,
  frozenTime: row.frozenTime,
  status: row.status,
  advancingTo: row.advancingTo,
  createdAt: row.createdAt,
});
