import { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import type { StoredEvent } from './stand-in-log';

/** The server's default search window (maxSearchWindow) when the client asks for `count`. */
const DEFAULT_SEARCH_WINDOW = 32;

/**
 * A server-side filter of `$all` as EventStoreDB applies it (EventFilter.cs): on the event type or
 * the stream name, by regular expression or by prefixes; and how often a filtered subscription
 * sends a checkpoint: after every `checkpointIntervalMultiplier × window` events it looked at.
 */
export interface AllFilter {
  matches(event: StoredEvent): boolean;
  /** Events looked at (matching or not) between two checkpoints. */
  readonly checkpointEvery: number;
}

/** Null without a filter (`noFilter`); a string is the server's refusal of a malformed one. */
export function allFilter(options: ReadReq.Options): AllFilter | null | string {
  const filter = options.getFilter();
  if (!filter) return null;
  let field: (event: StoredEvent) => string;
  let expression: ReadReq.Options.FilterOptions.Expression | undefined;
  switch (filter.getFilterCase()) {
    case ReadReq.Options.FilterOptions.FilterCase.EVENT_TYPE:
      field = (event) => event.type;
      expression = filter.getEventType();
      break;
    case ReadReq.Options.FilterOptions.FilterCase.STREAM_IDENTIFIER:
      field = (event) => event.streamId;
      expression = filter.getStreamIdentifier();
      break;
    default:
      return 'A filter needs an event type or a stream identifier expression.';
  }
  if (!expression) return 'A filter needs an expression.';
  const window = filter.getWindowCase() === ReadReq.Options.FilterOptions.WindowCase.MAX ? filter.getMax() : DEFAULT_SEARCH_WINDOW;
  const multiplier = filter.getCheckpointintervalmultiplier();
  if (window <= 0 || multiplier <= 0) return 'The checkpoint interval and the search window must be positive.';
  const regex = expression.getRegex();
  const prefixes = expression.getPrefixList();
  const test =
    regex !== '' ? ((pattern: RegExp) => (text: string) => pattern.test(text))(new RegExp(regex)) : (text: string) => prefixes.some((prefix) => text.startsWith(prefix));
  return { matches: (event) => test(field(event)), checkpointEvery: window * multiplier };
}
