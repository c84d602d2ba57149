const PREFIX = 'subscription-';

export function subscriptionStream(subscriptionId: string): string {
  return `${PREFIX}${subscriptionId}`;
}

/** The subscription id of a subscription stream, or null for any other stream. */
export function subscriptionIdOf(streamId: string): string | null {
  return streamId.startsWith(PREFIX) ? streamId.slice(PREFIX.length) : null;
}
