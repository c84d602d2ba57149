import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import { BILLING_CYCLES, BillingCycle, billingCyclesFor, FREE_TRIAL_DURATION, TERM_DURATIONS, TermDuration } from '@mfh/domain';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Min,
  ValidateNested,
  validateSync,
  ValidationError,
} from 'class-validator';
import { readFileSync } from 'node:fs';
import { parseDuration } from './iso-duration';
import { isSecretHash } from './secret-hash';

export type Role = 'partner' | 'publisher' | 'auditor' | 'admin';
export const ROLES: readonly Role[] = ['partner', 'publisher', 'auditor', 'admin'];
export type Term = TermDuration;

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const MONEY = /^\d{1,9}\.\d{2}$/;

export class ClientEntry {
  @Matches(ID) clientId!: string;
  /** `scrypt$…` as written by `npm run hash-secret`. */
  @IsString() secretHash!: string;
  @IsIn(ROLES) role!: Role;
  /** The partner or publisher id for those roles; absent for auditor and admin. */
  @IsOptional() @Matches(ID) tenantId?: string;
}

export class PartnerEntry {
  @Matches(ID) id!: string;
  @IsString() name!: string;
}

export class PublisherEntry {
  @Matches(ID) id!: string;
  @IsString() name!: string;
  /** Standard Webhooks secret (`whsec_<base64>`) the publisher signs its callbacks with. */
  @Matches(/^whsec_[A-Za-z0-9+/=]{16,}$/) callbackSigningSecret!: string;
  @IsUrl({ require_tld: false, require_protocol: true }) landingPageUrl!: string;
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true }) notificationUrl?: string | null;
}

export class PriceEntry {
  @IsIn(TERM_DURATIONS) termDuration!: Term;
  @Matches(MONEY) unitPrice!: string;
  @Matches(/^[A-Z]{3}$/) currency!: string;
}

export class FreeTrialEntry {
  /** One month, as Microsoft's marketplace offers them. */
  @IsIn([FREE_TRIAL_DURATION]) duration!: typeof FREE_TRIAL_DURATION;
}

export class PlanEntry {
  @Matches(ID) id!: string;
  @IsString() name!: string;
  @IsString() description!: string;
  @IsBoolean() isPricePerSeat!: boolean;
  @IsBoolean() isPrivate!: boolean;
  /** Microsoft's plan flag; true exactly when `freeTrial` is set. */
  @IsBoolean() hasFreeTrials!: boolean;
  /** Every subscription of the plan starts with this free trial, one per customer and offer (SPEC §13). */
  @IsOptional() @ValidateNested() @Type(() => FreeTrialEntry) freeTrial?: FreeTrialEntry;
  @IsInt() @Min(1) minQuantity!: number;
  @IsInt() @Min(1) maxQuantity!: number;
  @ValidateNested({ each: true }) @Type(() => PriceEntry) @ArrayMinSize(1) prices!: PriceEntry[];
}

export class TermEntry {
  @IsIn(TERM_DURATIONS) termDuration!: Term;
  /** ISO 8601 duration after purchase during which the partner may cancel (`PT72H`, `P14D`). */
  @IsString() cancellationWindow!: string;
  /** How the term may be billed; absent: {@link defaultBillingCycles}. A P1M term is only ever billed monthly. */
  @IsOptional() @IsArray() @ArrayMinSize(1) @IsIn(BILLING_CYCLES, { each: true }) billingCycles?: BillingCycle[];
}

/** What a term without `billingCycles` is sold with: what the catalog sold before it could say (a month monthly, a year monthly or annually). */
export const defaultBillingCycles = (term: Term): readonly BillingCycle[] => (term === 'P1M' ? ['monthly'] : ['monthly', 'annual']);

/** The billing cycles an offer sells a term with. */
export const billingCyclesOfTerm = (term: Pick<TermEntry, 'termDuration' | 'billingCycles'>): readonly BillingCycle[] =>
  term.billingCycles ?? defaultBillingCycles(term.termDuration);

export class OfferEntry {
  @Matches(ID) id!: string;
  @IsString() name!: string;
  @IsString() description!: string;
  @Matches(ID) publisherId!: string;
  @ValidateNested({ each: true }) @Type(() => TermEntry) @ArrayMinSize(1) terms!: TermEntry[];
  @ValidateNested({ each: true }) @Type(() => PlanEntry) @ArrayMinSize(1) plans!: PlanEntry[];
}

export class CatalogFile {
  @ValidateNested({ each: true }) @Type(() => ClientEntry) clients!: ClientEntry[];
  @ValidateNested({ each: true }) @Type(() => PartnerEntry) partners!: PartnerEntry[];
  @ValidateNested({ each: true }) @Type(() => PublisherEntry) publishers!: PublisherEntry[];
  @ValidateNested({ each: true }) @Type(() => OfferEntry) offers!: OfferEntry[];
}

export interface PurchaseTerms {
  offer: OfferEntry;
  plan: PlanEntry;
  publisher: PublisherEntry;
  price: PriceEntry;
  cancellationWindowMs: number;
  billingCycles: readonly BillingCycle[];
}

export class CatalogError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid catalog:\n  ${problems.join('\n  ')}`);
    this.name = 'CatalogError';
  }
}

/** Clients, partners, publishers, offers and plans, loaded once at start and read-only afterwards. */
export class Catalog {
  private readonly clientsById = new Map<string, ClientEntry>();
  private readonly offersById = new Map<string, OfferEntry>();
  private readonly publishersById = new Map<string, PublisherEntry>();
  private readonly partnersById = new Map<string, PartnerEntry>();

  constructor(readonly file: CatalogFile) {
    for (const c of file.clients) this.clientsById.set(c.clientId, c);
    for (const o of file.offers) this.offersById.set(o.id, o);
    for (const p of file.publishers) this.publishersById.set(p.id, p);
    for (const p of file.partners) this.partnersById.set(p.id, p);
  }

  get offers(): readonly OfferEntry[] {
    return this.file.offers;
  }

  client(clientId: string): ClientEntry | undefined {
    return this.clientsById.get(clientId);
  }

  offer(offerId: string): OfferEntry | undefined {
    return this.offersById.get(offerId);
  }

  publisher(publisherId: string): PublisherEntry | undefined {
    return this.publishersById.get(publisherId);
  }

  partner(partnerId: string): PartnerEntry | undefined {
    return this.partnersById.get(partnerId);
  }

  plan(offerId: string, planId: string): PlanEntry | undefined {
    return this.offer(offerId)?.plans.find((p) => p.id === planId);
  }

  /** Everything a purchase of this offer, plan and term is sold under; undefined when the catalog has no such thing. */
  purchaseTerms(offerId: string, planId: string, term: Term): PurchaseTerms | undefined {
    const offer = this.offer(offerId);
    const plan = offer?.plans.find((p) => p.id === planId);
    const price = plan?.prices.find((p) => p.termDuration === term);
    const termEntry = offer?.terms.find((t) => t.termDuration === term);
    const publisher = offer && this.publisher(offer.publisherId);
    if (!offer || !plan || !price || !termEntry || !publisher) return undefined;
    return { offer, plan, publisher, price, cancellationWindowMs: parseDuration(termEntry.cancellationWindow)!, billingCycles: billingCyclesOfTerm(termEntry) };
  }
}

export function parseCatalog(json: unknown): Catalog {
  const file = plainToInstance(CatalogFile, json);
  const errors = validateSync(file, { whitelist: true, forbidNonWhitelisted: true });
  const problems = flatten(errors);
  if (problems.length === 0) problems.push(...crossCheck(file));
  if (problems.length > 0) throw new CatalogError(problems);
  return new Catalog(file);
}

export function loadCatalog(path: string): Catalog {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CatalogError([`${path}: ${(error as Error).message}`]);
  }
  return parseCatalog(json);
}

function flatten(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((e) => {
    const here = path ? `${path}.${e.property}` : e.property;
    return [...Object.values(e.constraints ?? {}).map((m) => `${here}: ${m}`), ...flatten(e.children ?? [], here)];
  });
}

function duplicates(ids: string[]): string[] {
  return ids.filter((id, i) => ids.indexOf(id) !== i);
}

function crossCheck(file: CatalogFile): string[] {
  const problems: string[] = [];
  const partners = new Set(file.partners.map((p) => p.id));
  const publishers = new Set(file.publishers.map((p) => p.id));
  for (const id of duplicates(file.clients.map((c) => c.clientId))) problems.push(`clients: duplicate clientId ${id}`);
  for (const id of duplicates(file.offers.map((o) => o.id))) problems.push(`offers: duplicate id ${id}`);
  for (const c of file.clients) {
    if (!isSecretHash(c.secretHash)) problems.push(`client ${c.clientId}: secretHash must be an scrypt hash (npm run hash-secret)`);
    if (c.role === 'partner' && !partners.has(c.tenantId ?? '')) problems.push(`client ${c.clientId}: unknown partner ${c.tenantId}`);
    if (c.role === 'publisher' && !publishers.has(c.tenantId ?? ''))
      problems.push(`client ${c.clientId}: unknown publisher ${c.tenantId}`);
    if ((c.role === 'auditor' || c.role === 'admin') && c.tenantId) problems.push(`client ${c.clientId}: ${c.role} has no tenant`);
  }
  for (const o of file.offers) {
    if (!publishers.has(o.publisherId)) problems.push(`offer ${o.id}: unknown publisher ${o.publisherId}`);
    for (const id of duplicates(o.terms.map((t) => t.termDuration))) problems.push(`offer ${o.id}: duplicate term ${id}`);
    for (const t of o.terms) {
      if (parseDuration(t.cancellationWindow) === null) problems.push(`offer ${o.id}: bad cancellationWindow ${t.cancellationWindow}`);
      const sellable = billingCyclesFor(t.termDuration);
      for (const cycle of t.billingCycles ?? []) {
        if (!sellable.includes(cycle)) problems.push(`offer ${o.id} term ${t.termDuration}: billing cycle ${cycle} is not allowed (only ${sellable.join(', ')})`);
      }
      for (const cycle of duplicates(t.billingCycles ?? [])) problems.push(`offer ${o.id} term ${t.termDuration}: duplicate billing cycle ${cycle}`);
    }
    const sold = new Set(o.terms.map((t) => t.termDuration));
    for (const p of o.plans) {
      if (p.minQuantity > p.maxQuantity) problems.push(`offer ${o.id} plan ${p.id}: minQuantity above maxQuantity`);
      if (p.hasFreeTrials !== (p.freeTrial !== undefined)) problems.push(`offer ${o.id} plan ${p.id}: hasFreeTrials must be true exactly when freeTrial is set`);
      for (const t of o.terms) {
        if (!p.prices.some((price) => price.termDuration === t.termDuration))
          problems.push(`offer ${o.id} plan ${p.id}: no price for ${t.termDuration}`);
      }
      for (const price of p.prices) {
        if (!sold.has(price.termDuration)) problems.push(`offer ${o.id} plan ${p.id}: price for ${price.termDuration}, a term the offer does not sell`);
      }
      for (const key of duplicates(p.prices.map((price) => `${price.termDuration} ${price.currency}`)))
        problems.push(`offer ${o.id} plan ${p.id}: duplicate price for ${key}`);
    }
    for (const id of duplicates(o.plans.map((p) => p.id))) problems.push(`offer ${o.id}: duplicate plan ${id}`);
  }
  return problems;
}
