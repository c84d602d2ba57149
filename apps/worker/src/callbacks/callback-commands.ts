import type { PublisherCallback } from '@mfh/messaging';
import type { Catalog } from '@mfh/config';
import type { SubscriptionCommand } from '@mfh/domain';

/** The command a callback stands for; `signedAt` orders the action callbacks. */
export function commandFor(callback: PublisherCallback, signedAt: string): SubscriptionCommand {
  switch (callback.type) {
    case 'LicensesAssigned':
      return { type: 'RecordLicensesAssigned', data: { assignedSeats: callback.data.assignedSeats } };
    case 'ActionRequired':
      return {
        type: 'RequirePublisherAction',
        data: { reason: callback.data.reason, url: callback.data.url, blockedOperations: [...callback.data.blockedOperations], signedAt },
      };
    case 'ActionResolved':
      return { type: 'ResolvePublisherAction', data: { signedAt } };
  }
}

/** Who the events of a publisher's callback are attributed to: its API client, as if it had called the API. */
export function publisherActor(catalog: Catalog, publisherId: string): string {
  const client = catalog.file.clients.find((c) => c.role === 'publisher' && c.tenantId === publisherId);
  return client?.clientId ?? `publisher:${publisherId}`;
}
