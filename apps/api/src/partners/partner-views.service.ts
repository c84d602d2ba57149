import { Injectable } from '@nestjs/common';
import { BoundedCache } from '@mfh/event-store';
import { AppConfig, Catalog } from '@mfh/config';
import type { ExistingSubscription } from '@mfh/domain';
import { Page, PartnerSubscriptionView, partnerSubscriptionView } from '@mfh/read-models';
import { ActivationCodes } from '../activation/activation-codes.service';
import type { LinkDto } from './dto/common.dto';

/** How long one activation code is handed out again before a fresh one is issued. */
const LINK_REUSE_MS = 3_600_000;

/** Builds what partners see: views with activation links, and pages with their next link. */
@Injectable()
export class PartnerViews {
  private readonly links = new BoundedCache<string, { link: string; issuedAt: number }>(10_000);

  constructor(
    private readonly codes: ActivationCodes,
    private readonly catalog: Catalog,
    private readonly config: AppConfig,
  ) {}

  /**
   * The publisher's landing page with an authorization code. A code is reused for an hour at most
   * (sealing one costs more than the rest of a request), so a link shown is always valid for its TTL less that.
   */
  async activationLink(state: ExistingSubscription): Promise<string | null> {
    const publisher = this.catalog.publisher(state.publisherId);
    if (!publisher || state.status === 'deleted') return null;
    const reuseMs = Math.min(LINK_REUSE_MS, (this.config.ACTIVATION_CODE_TTL_SECONDS * 1000) / 4);
    const cached = this.links.get(state.id);
    if (cached && Date.now() - cached.issuedAt < reuseMs) return cached.link;
    const link = await this.codes.link(publisher.landingPageUrl, { subscriptionId: state.id, publisherId: state.publisherId });
    this.links.set(state.id, { link, issuedAt: Date.now() });
    return link;
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
