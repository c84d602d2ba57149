import { DomainError } from '@mfh/domain';

export const NotificationErrors = {
  notFound: (deliveryId: string) => new DomainError('notification-not-found', 'not-found', `There is no notification ${deliveryId}.`),
};
