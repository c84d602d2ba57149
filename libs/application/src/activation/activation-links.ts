import { Injectable } from '@nestjs/common';
import { ActivationCodes } from '@mfh/auth';
import { AppConfig, Catalog } from '@mfh/config';
import type { ExistingSubscription } from '@mfh/domain';
import { BoundedCache } from '@mfh/event-store';

/** How long one activation code is handed out again before a fresh one is issued. */
const LINK_REUSE_MS = 3_600_000;

/** The publisher's landing page with an authorization code, as partner views and the activation-links resource show it. */
@Injectable()
export class ActivationLinks {
  private readonly links = new BoundedCache<string, { link: string; issuedAt: number }>(10_000);

  constructor(
    private readonly codes: ActivationCodes,
    private readonly catalog: Catalog,
    private readonly config: AppConfig,
  ) {}

  /**
   * A code is reused for an hour at most (sealing one costs more than the rest of a request), so a
   * link shown is always valid for its TTL less that. Null once the subscription is cancelled.
   */
  async of(state: Pick<ExistingSubscription, 'id' | 'publisherId' | 'status'>): Promise<string | null> {
    const publisher = this.catalog.publisher(state.publisherId);
    if (!publisher || state.status === 'deleted') return null;
    const reuseMs = Math.min(LINK_REUSE_MS, (this.config.ACTIVATION_CODE_TTL_SECONDS * 1000) / 4);
    const cached = this.links.get(state.id);
    if (cached && Date.now() - cached.issuedAt < reuseMs) return cached.link;
    const link = await this.codes.link(publisher.landingPageUrl, { subscriptionId: state.id, publisherId: state.publisherId });
    this.links.set(state.id, { link, issuedAt: Date.now() });
    return link;
  }
}
