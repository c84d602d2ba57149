import { END, EventStoreDBClient, excludeSystemEvents } from '@eventstore/db-client';
import { setTimeout as delay } from 'node:timers/promises';
import { AppendListener, AppendWatch, ReconnectingWatch } from '../log-wakeups';

const UNSUBSCRIBE_WAIT_MS = 1_000;

/**
 * One catch-up subscription to `$all` from its end, system events filtered out on the server: a
 * wake-up for readers that keep their own checkpoints, not a feed (events are not kept). A dropped
 * subscription is made again with backoff; each confirmed one is announced as an append, since
 * whatever came while it was away went unannounced.
 */
export function watchEventStoreDBAppends(client: EventStoreDBClient, listener: AppendListener): AppendWatch {
  return new ReconnectingWatch(false, listener, (connected, closing) => subscribeUntilDropped(client, listener, connected, closing));
}

async function subscribeUntilDropped(
  client: EventStoreDBClient,
  listener: AppendListener,
  connected: () => void,
  closing: AbortSignal,
): Promise<unknown> {
  const subscription = client.subscribeToAll({ fromPosition: END, filter: excludeSystemEvents() });
  let close: (() => void) | undefined;
  try {
    return await new Promise<unknown>((resolve) => {
      close = () => resolve(undefined);
      closing.addEventListener('abort', close, { once: true });
      subscription.on('confirmation', connected);
      subscription.on('data', () => listener.appended());
      subscription.on('error', resolve);
      subscription.on('end', () => resolve(new Error('The $all subscription ended')));
      subscription.on('close', () => resolve(new Error('The $all subscription closed')));
    });
  } finally {
    if (close) closing.removeEventListener('abort', close);
    // The client cancels only once its call exists; a call still being set up must not hold close() up.
    await Promise.race([subscription.unsubscribe().catch(() => undefined), delay(UNSUBSCRIBE_WAIT_MS, undefined, { ref: false })]);
    subscription.destroy();
  }
}
