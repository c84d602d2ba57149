import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { billingCyclesOfTerm, Catalog, OfferEntry } from '@mfh/config';
import { BILLING_CYCLES, TERM_DURATIONS } from '@mfh/domain';
import { Roles } from '../auth/auth.decorators';

class PriceDto {
  @ApiProperty({ enum: [...TERM_DURATIONS] }) termDuration!: string;
  @ApiProperty({ example: '12.00', description: 'Per seat per term' }) unitPrice!: string;
  @ApiProperty({ example: 'USD' }) currency!: string;
}

class FreeTrialDto {
  @ApiProperty({ example: 'P1M', description: 'How long the free trial lasts before it converts to the paid term bought' }) duration!: string;
}

class PlanDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty() isPricePerSeat!: boolean;
  @ApiProperty() hasFreeTrials!: boolean;
  @ApiProperty({ type: FreeTrialDto, nullable: true, description: 'Every subscription of the plan starts with this free trial; one per customer and offer' })
  freeTrial!: FreeTrialDto | null;
  @ApiProperty() minQuantity!: number;
  @ApiProperty() maxQuantity!: number;
  @ApiProperty({ type: [PriceDto] }) prices!: PriceDto[];
}

class TermDto {
  @ApiProperty({ enum: [...TERM_DURATIONS] }) termDuration!: string;
  @ApiProperty({ enum: [...BILLING_CYCLES], isArray: true, description: 'How the term may be billed: monthly, annual (once a year of the term) or upfront (the whole term at once)' })
  billingCycles!: string[];
  @ApiProperty({ example: 'PT72H', description: 'ISO 8601 duration after purchase during which cancellation is allowed' })
  cancellationWindow!: string;
}

class OfferDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty() publisherId!: string;
  @ApiProperty() publisherName!: string;
  @ApiProperty({ type: [TermDto] }) terms!: TermDto[];
  @ApiProperty({ type: [PlanDto] }) plans!: PlanDto[];
}

class OfferListDto {
  @ApiProperty() totalCount!: number;
  @ApiProperty({ type: [OfferDto] }) items!: OfferDto[];
}

@ApiTags('partner')
@ApiBearerAuth()
@Roles('partner')
@Controller('v1/offers')
export class OffersController {
  constructor(private readonly catalog: Catalog) {}

  @Get()
  @ApiOperation({ summary: 'The catalog: offers with their plans, terms and prices' })
  @ApiOkResponse({ type: OfferListDto })
  list(): OfferListDto {
    const items = this.catalog.offers.filter((offer) => offer.plans.some((plan) => !plan.isPrivate)).map((offer) => this.offer(offer));
    return { totalCount: items.length, items };
  }

  private offer(offer: OfferEntry): OfferDto {
    return {
      id: offer.id,
      name: offer.name,
      description: offer.description,
      publisherId: offer.publisherId,
      publisherName: this.catalog.publisher(offer.publisherId)?.name ?? offer.publisherId,
      terms: offer.terms.map((t) => ({
        termDuration: t.termDuration,
        billingCycles: [...billingCyclesOfTerm(t)],
        cancellationWindow: t.cancellationWindow,
      })),
      plans: offer.plans
        .filter((plan) => !plan.isPrivate)
        .map((plan) => ({
          id: plan.id,
          name: plan.name,
          description: plan.description,
          isPricePerSeat: plan.isPricePerSeat,
          hasFreeTrials: plan.hasFreeTrials,
          freeTrial: plan.freeTrial ? { duration: plan.freeTrial.duration } : null,
          minQuantity: plan.minQuantity,
          maxQuantity: plan.maxQuantity,
          prices: plan.prices.map((p) => ({ termDuration: p.termDuration, unitPrice: p.unitPrice, currency: p.currency })),
        })),
    };
  }
}
