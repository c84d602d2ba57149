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

const COMMA = Buffer.from(',');

/**
 * {@link collection} as UTF-8 JSON, around items that are UTF-8 JSON already: each is neither parsed
 * nor serialised again, and the page is never a string on the heap.
 */
export function collectionJson(reply: FastifyReply, page: Page<Buffer>, path: string, size: number): Buffer {
  const { totalCount, links } = collection({ ...page, items: [] }, path, size);
  void reply.type('application/json; charset=utf-8');
  const parts: Buffer[] = [Buffer.from(`{"totalCount":${totalCount},"items":[`)];
  for (const [i, item] of page.items.entries()) {
    if (i > 0) parts.push(COMMA);
    parts.push(item);
  }
  parts.push(Buffer.from(`]${links ? `,"links":${JSON.stringify(links)}` : ''}}`));
  return Buffer.concat(parts);
}

/** Absolute URLs of partner resources, for headers that must carry one (Operation-Location). */
@Injectable()
export class PartnerViews {
  constructor(private readonly config: AppConfig) {}

  absolute(path: string): string {
    return new URL(path, this.config.PUBLIC_BASE_URL).toString();
  }
}
