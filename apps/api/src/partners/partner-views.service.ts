import { Injectable } from '@nestjs/common';
import { AppConfig, Catalog } from '@mfh/config';
import type { ExistingSubscription } from '@mfh/domain';
import { Page, PartnerSubscriptionView, partnerSubscriptionView } from '@mfh/read-models';
import { ActivationCodes } from '../activation/activation-codes.service';
import type { LinkDto } from './dto/common.dto';

/** Builds what partners see: views with fresh activation links, and pages with their next link. */
@Injectable()
export class PartnerViews {
  constructor(
    private readonly codes: ActivationCodes,
    private readonly catalog: Catalog,
    private readonly config: AppConfig,
  ) {}

  async activationLink(state: ExistingSubscription): Promise<string | null> {
    const publisher = this.catalog.publisher(state.publisherId);
    if (!publisher || state.status === 'deleted') return null;
    return this.codes.link(publisher.landingPageUrl, { subscriptionId: state.id, publisherId: state.publisherId });
  }

  async subscription(state: ExistingSubscription): Promise<PartnerSubscriptionView> {
    const link = state.status === 'pending' ? await this.activationLink(state) : null;
    return partnerSubscriptionView(state, () => link);
  }

  /** `{totalCount, items, links.next}` in Partner Center's collection shape. */
  list<T>(page: Page<T>, path: string, size: number): { totalCount: number; items: T[]; links?: { next: LinkDto } } {
    if (!page.continuationToken) return { totalCount: page.totalCount, items: page.items };
    const uri = `${path}?size=${size}&continuationToken=${encodeURIComponent(page.continuationToken)}`;
    return { totalCount: page.totalCount, items: page.items, links: { next: { uri, method: 'GET', headers: [] } } };
  }

  absolute(path: string): string {
    return new URL(path, this.config.PUBLIC_BASE_URL).toString();
  }
}
