import DataLoader from 'dataloader';

/**
 * A DataLoader (no cache) whose batches wait for each other: the loads made in one turn of the event
 * loop go together, and while a batch is in flight the loads that arrive queue for the next one. So
 * under load one round trip answers many loads, and idle, a load waits for nothing but that turn.
 * A load never joins a batch already sent: each batch begins after every load in it was made, so
 * it sees whatever was committed before any of them asked.
 */
export function batchedLoader<K, V>(load: (keys: readonly K[]) => Promise<V[]>, maxBatchSize = 256): DataLoader<K, V> {
  let inFlight = 0;
  let queued: (() => void)[] = [];
  const runQueued = () => {
    const dispatches = queued;
    queued = [];
    for (const dispatch of dispatches) dispatch();
  };
  return new DataLoader<K, V>(
    async (keys) => {
      inFlight++;
      try {
        return await load(keys);
      } finally {
        if (--inFlight === 0) runQueued();
      }
    },
    {
      cache: false,
      maxBatchSize,
      batchScheduleFn: (dispatch) => {
        if (inFlight > 0 || queued.length > 0) queued.push(dispatch);
        else setImmediate(dispatch);
      },
    },
  );
}
