import { randomUUID } from 'node:crypto';
import { EsdbStandIn, startEsdbStandIn } from '@mfh/testing';
import type { AppendWatch } from '../log-wakeups';
import { EventStoreDBEventStore } from './eventstoredb-event-store';

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('EventStoreDB append watch (gRPC stand-in)', () => {
  let standIn: EsdbStandIn;
  let store: EventStoreDBEventStore;
  let watch: AppendWatch | null = null;
  const ping = () => store.appendToStream(`watched-${randomUUID()}`, [{ id: randomUUID(), type: 'Pinged', data: {}, metadata: {} }]);

  beforeEach(async () => {
    standIn = await startEsdbStandIn();
    store = EventStoreDBEventStore.connect(standIn.url);
  });

  afterEach(async () => {
    await watch?.close();
    watch = null;
    await store.close();
    await standIn.stop();
  });

  it('holds one filtered subscription to $all, announces itself once subscribed, then every append', async () => {
    let appended = 0;
    watch = store.watchAppends({ appended: () => appended++ });
    expect(watch.mayLag).toBe(false);
    await until(() => appended === 1);
    expect(standIn.subscriptions()).toBe(1);
    await ping();
    await until(() => appended === 2);
    await ping();
    await until(() => appended === 3);
  });

  it('subscribes again after the server drops it, and announces the new subscription for what went unannounced', async () => {
    let appended = 0;
    const interruptions: number[] = [];
    let resumed = 0;
    watch = store.watchAppends({
      appended: () => appended++,
      interrupted: (_error, failures) => interruptions.push(failures),
      resumed: () => resumed++,
    });
    await until(() => appended === 1);
    expect(standIn.dropSubscriptions()).toBe(1);
    await until(() => resumed === 1 && appended === 2);
    expect(interruptions).toEqual([1]);
    expect(standIn.subscriptions()).toBe(1);
    await ping();
    await until(() => appended === 3);
  });

  it('ends its subscription on close, and with the store', async () => {
    let appended = 0;
    watch = store.watchAppends({ appended: () => appended++ });
    const other = store.watchAppends({ appended: () => undefined });
    await until(() => appended === 1 && standIn.subscriptions() === 2);
    await watch.close();
    await until(() => standIn.subscriptions() === 1);
    await store.close();
    await until(() => standIn.subscriptions() === 0);
    await other.close();
    watch = null;
    store = EventStoreDBEventStore.connect(standIn.url);
  });
});
