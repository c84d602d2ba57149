import { Injectable } from '@nestjs/common';
import { AppConfig } from '@mfh/config';
import { API_VERSION } from './dto/saas-requests.dto';

export const SAAS_SUBSCRIPTIONS_PATH = '/api/saas/subscriptions';

/** Absolute links the fulfillment API hands out (Operation-Location, @nextLink), on PUBLIC_BASE_URL and with the api-version. */
@Injectable()
export class SaasLinks {
  constructor(private readonly config: AppConfig) {}

  operation(subscriptionId: string, operationId: string): string {
    return this.absolute(`${SAAS_SUBSCRIPTIONS_PATH}/${subscriptionId}/operations/${operationId}`, {});
  }

  nextPage(continuationToken: string): string {
    return this.absolute(SAAS_SUBSCRIPTIONS_PATH, { continuationToken });
  }

  /** Appended to the base rather than resolved against it, so a base with a path prefix keeps it. */
  private absolute(path: string, query: Record<string, string>): string {
    const base = this.config.PUBLIC_BASE_URL.replace(/\/+$/, '');
    return `${base}${path}?${new URLSearchParams({ ...query, 'api-version': API_VERSION }).toString()}`;
  }
}
