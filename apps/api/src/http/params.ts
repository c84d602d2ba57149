import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ProblemException } from './problem';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Path ids are UUIDs; anything else is a 400 that names the parameter. */
@Injectable()
export class UuidPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (!UUID.test(value)) throw new ProblemException(400, 'invalid-id', `${metadata.data ?? 'id'} must be a UUID.`, { parameter: metadata.data });
    return value.toLowerCase();
  }
}

/** `<partnerId>-<YYYY-MM>-<currency>`, or with a test clock's id before the month (SPEC §12, §14). */
const INVOICE_ID = /^[a-z0-9][a-z0-9-]{0,63}-(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-)?\d{4}-(?:0[1-9]|1[0-2])-[A-Z]{3}$/;

/** Invoice ids name a partner's billing period; anything else is a 400 that names the parameter. */
@Injectable()
export class InvoiceIdPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (!INVOICE_ID.test(value)) {
      throw new ProblemException(400, 'invalid-invoice-id', `${metadata.data ?? 'invoiceId'} must be an invoice id: <partnerId>-<YYYY-MM>-<currency>, or <partnerId>-<testClockId>-<YYYY-MM>-<currency>.`, {
        parameter: metadata.data,
      });
    }
    return value;
  }
}

@Injectable()
export class PositiveIntPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    if (!/^[1-9]\d{0,5}$/.test(value)) {
      throw new ProblemException(400, 'invalid-parameter', `${metadata.data ?? 'parameter'} must be a positive whole number.`, {
        parameter: metadata.data,
      });
    }
    return Number(value);
  }
}

/** `If-Match: "<revision>"` (or `*`) → the revision the caller saw; undefined when absent or `*`. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  if (!match) throw new ProblemException(400, 'invalid-if-match', 'If-Match must be an ETag from this API, like "3".');
  return Number(match[1]);
}

export const etagOf = (revision: number): string => `"${revision}"`;
