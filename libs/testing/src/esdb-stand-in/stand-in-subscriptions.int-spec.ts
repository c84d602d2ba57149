import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import {
  AllStreamSubscription,
  END,
  EventStoreDBClient,
  Position,
  START,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
} from '@eventstore/db-client';
import { EsdbStandIn, startEsdbStandIn } from './esdb-stand-in';

/** What a subscription delivered, in order: events by stream and type, and the markers between them. */
type Seen = string;

function record(subscription: AllStreamSubscription): Seen[] {
  const seen: Seen[] = [];
  subscription.on('confirmation', () => seen.push('confirmation'));
  subscription.on('caughtUp', () => seen.push('caughtUp'));
  subscription.on('data', (resolved) => seen.push(`${resolved.event?.streamId}/${resolved.event?.type}`));
  return seen;
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('EventStoreDB stand-in: catch-up subscriptions to $all', () => {
  let standIn: EsdbStandIn;
  let client: EventStoreDBClient;
  const open: AllStreamSubscription[] = [];
  const subscribe = (...args: Parameters<EventStoreDBClient['subscribeToAll']>) => {
    const subscription = client.subscribeToAll(...args);
    open.push(subscription);
    return subscription;
  };

  beforeEach(async () => {
    standIn = await startEsdbStandIn();
    client = EventStoreDBClient.connectionString(standIn.url);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.unsubscribe()));
    await client.dispose();
    await standIn.stop();
  });

  it('confirms, sends what is there without the system events, says it caught up, then follows new events', async () => {
    const a = `a-${randomUUID()}`;
    await client.appendToStream(a, [jsonEvent({ type: 'One', data: {} }), jsonEvent({ type: 'Two', data: {} })]);
    const seen = record(subscribe({ fromPosition: START, filter: excludeSystemEvents() }));
    await until(() => seen.includes('caughtUp'));
    await client.appendToStream(a, [jsonEvent({ type: 'Three', data: {} })]);
    await until(() => seen.length === 5);
    expect(seen).toEqual(['confirmation', `${a}/One`, `${a}/Two`, 'caughtUp', `${a}/Three`]);
  });

  it('starts after the position given (it is exclusive), and from the end with nothing but new events', async () => {
    const a = `a-${randomUUID()}`;
    const first = await client.appendToStream(a, [jsonEvent({ type: 'One', data: {} })]);
    await client.appendToStream(a, [jsonEvent({ type: 'Two', data: {} })]);
    const after = record(subscribe({ fromPosition: first.position!, filter: excludeSystemEvents() }));
    const fromEnd = record(subscribe({ fromPosition: END, filter: excludeSystemEvents() }));
    await until(() => after.includes('caughtUp') && fromEnd.includes('caughtUp'));
    await client.appendToStream(a, [jsonEvent({ type: 'Three', data: {} })]);
    await until(() => after.length === 4 && fromEnd.length === 3);
    expect(after).toEqual(['confirmation', `${a}/Two`, 'caughtUp', `${a}/Three`]);
    expect(fromEnd).toEqual(['confirmation', 'caughtUp', `${a}/Three`]);
  });

  it('filters on stream name prefixes, sends every event without a filter, and checkpoints every window of events looked at', async () => {
    const wanted = `wanted-${randomUUID()}`;
    const other = `other-${randomUUID()}`;
    const checkpoints: Position[] = [];
    const filtered = record(
      subscribe({
        fromPosition: END,
        filter: streamNameFilter({ prefixes: ['wanted-'], maxSearchWindow: 2, checkpointInterval: 1, checkpointReached: async (_s, p) => void checkpoints.push(p) }),
      }),
    );
    const unfiltered = record(subscribe({ fromPosition: END }));
    await until(() => filtered.includes('caughtUp') && unfiltered.includes('caughtUp'));
    const last = await client.appendToStream(other, [jsonEvent({ type: 'X', data: {} }), jsonEvent({ type: 'Y', data: {} })]);
    await client.appendToStream(wanted, [jsonEvent({ type: 'Z', data: {} })]);
    await until(() => filtered.length === 3 && unfiltered.length === 5);
    expect(filtered).toEqual(['confirmation', 'caughtUp', `${wanted}/Z`]);
    expect(unfiltered).toEqual(['confirmation', 'caughtUp', `${other}/X`, `${other}/Y`, `${wanted}/Z`]);
    // Two events looked at (the window): a checkpoint at the second, the last one not sent.
    expect(checkpoints).toEqual([last.position]);
  });

  it('drops every open subscription as a server going away does, and counts those open', async () => {
    const subscription = subscribe({ fromPosition: END, filter: excludeSystemEvents() });
    const seen = record(subscription);
    await until(() => seen.includes('caughtUp'));
    expect(standIn.subscriptions()).toBe(1);
    const error = new Promise<Error & { code?: number }>((resolve) => subscription.once('error', resolve));
    expect(standIn.dropSubscriptions()).toBe(1);
    expect((await error).code).toBe(grpc.status.UNAVAILABLE);
    expect(standIn.subscriptions()).toBe(0);
  });

  it('forgets a subscription the client cancels', async () => {
    const subscription = subscribe({ fromPosition: END });
    const seen = record(subscription);
    await until(() => seen.includes('caughtUp'));
    await subscription.unsubscribe();
    await until(() => standIn.subscriptions() === 0);
  });
});
