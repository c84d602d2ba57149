import { Injectable } from '@nestjs/common';
import { AppConfig } from '@mfh/config';
import type { Page } from '@mfh/read-models';
import type { FastifyReply } from 'fastify';
import type { LinkDto } from './dto/common.dto';

/** A page in Partner Center's collection shape: `{totalCount, items, links.next}`, `next` only while more remain. */
export function collection<T>(page: Page<T>, path: string, size: number): { totalCount: number; items: T[]; links?: { next: LinkDto } } {
  if (!page.continuationToken) return { totalCount: page.totalCount, items: page.items };
  const uri = `${path}?size=${size}&continuationToken=${encodeURIComponent(page.continuationToken)}`;
  return { totalCount: page.totalCount, items: page.items, links: { next: { uri, method: 'GET', headers: [] } } };
}

/**
 * A collection as JSON text, around items that are JSON text already (each is neither parsed nor
 * serialised again): `totalCount`, the items, then `links` when there are any.
 */
export function collectionJson(reply: FastifyReply, around: { totalCount: number; links?: object }, items: readonly string[]): string {
  void reply.type('application/json; charset=utf-8');
  return `{"totalCount":${around.totalCount},"items":[${items.join(',')}]${around.links ? `,"links":${JSON.stringify(around.links)}` : ''}}`;
}

/** Absolute URLs of partner resources, for headers that must carry one (Operation-Location). */
@Injectable()
export class PartnerViews {
  constructor(private readonly config: AppConfig) {}

  absolute(path: string): string {
    return new URL(path, this.config.PUBLIC_BASE_URL).toString();
  }
}
