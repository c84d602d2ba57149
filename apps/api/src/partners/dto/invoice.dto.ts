import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import type { InvoiceDetailView, InvoiceLineView, InvoiceView } from '@mfh/read-models';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { LinkDto, PageQuery } from './common.dto';

/** Partner Center writes these values in any case (`OneTime`, `onetime`); a repeated parameter stays an array and is refused. */
const lowerCase = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value));
const upperCase = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value));

const TestClockParameter = () =>
  ApiPropertyOptional({ format: 'uuid', description: "Sandbox only (SANDBOX=true, else a 400): that test clock's billing periods instead of the real ones" });

export class InvoiceListQuery extends PageQuery {
  @TestClockParameter()
  @IsOptional()
  @IsUUID('all', { message: 'testClockId must be a UUID' })
  testClockId?: string;
}

export class InvoiceLinesQuery extends PageQuery {
  @ApiProperty({ enum: ['onetime'], description: 'The billing provider: marketplace SaaS is billed as onetime' })
  @lowerCase()
  @IsIn(['onetime'], { message: 'provider must be onetime' })
  provider!: string;

  @ApiProperty({ enum: ['billinglineitems'] })
  @lowerCase()
  @IsIn(['billinglineitems'], { message: 'invoicelineitemtype must be billinglineitems' })
  invoicelineitemtype!: string;
}

/** The open period a partner means: the month it is now, or the one before while it is not yet issued. */
export class UnbilledPeriodQuery {
  @ApiProperty({ example: 'USD', description: 'A currency the catalog sells in' })
  @upperCase()
  @Matches(/^[A-Z]{3}$/, { message: 'currencycode must be a three-letter ISO 4217 code' })
  currencycode!: string;

  @ApiProperty({ enum: ['current', 'previous'], description: 'current: this month (in the test clock’s time with testClockId); previous: the month before' })
  @lowerCase()
  @IsIn(['current', 'previous'], { message: 'period must be current or previous' })
  period!: 'current' | 'previous';

  @TestClockParameter()
  @IsOptional()
  @IsUUID('all', { message: 'testClockId must be a UUID' })
  testClockId?: string;
}

export class UnbilledLinesQuery extends IntersectionType(InvoiceLinesQuery, UnbilledPeriodQuery) {}

export class SelfLinkDto {
  @ApiProperty({ example: '/v1/invoices/contoso-2026-03-USD/lineitems?provider=onetime&invoicelineitemtype=billinglineitems' }) uri!: string;
  @ApiProperty({ enum: ['GET'] }) method!: 'GET';
}

export class InvoiceDetailLinksDto {
  @ApiProperty({ type: SelfLinkDto, description: "Where the invoice's lines are read" }) self!: SelfLinkDto;
}

export class InvoiceDetailDto implements InvoiceDetailView {
  @ApiProperty({ enum: ['billinglineitems'] }) invoiceLineItemType!: 'billinglineitems';
  @ApiProperty({ enum: ['onetime'] }) billingProvider!: 'onetime';
  @ApiProperty({ type: InvoiceDetailLinksDto }) links!: InvoiceDetailLinksDto;
}

export class InvoiceResponse implements InvoiceView {
  @ApiProperty({ example: 'contoso-2026-03-USD', description: '<partnerId>-<YYYY-MM>-<currency>, or <partnerId>-<testClockId>-<YYYY-MM>-<currency> on a test clock' })
  id!: string;
  @ApiProperty({ description: 'When it was issued, in business time: INVOICE_CLOSE_DELAY after its month ended' }) invoiceDate!: string;
  @ApiProperty({ format: 'date', example: '2026-03-01' }) billingPeriodStartDate!: string;
  @ApiProperty({ format: 'date', example: '2026-03-31' }) billingPeriodEndDate!: string;
  @ApiProperty({ example: '144.00', description: 'The sum of every line; credits are negative' }) totalCharges!: string;
  @ApiProperty({ example: 'USD' }) currencyCode!: string;
  @ApiProperty({ enum: ['OneTime'] }) invoiceType!: 'OneTime';
  @ApiProperty({ enum: ['Invoice'] }) documentType!: 'Invoice';
  @ApiProperty({ enum: ['issued'] }) status!: 'issued';
  @ApiProperty({ type: [InvoiceDetailDto] }) invoiceDetails!: InvoiceDetailDto[];
  @ApiPropertyOptional({ enum: [true], description: 'Only on a test clock’s invoice' }) isTest?: true;
}

export class CollectionLinksDto {
  @ApiProperty({ type: LinkDto }) self!: LinkDto;
  @ApiPropertyOptional({ type: LinkDto, description: 'Present while more items remain' }) next?: LinkDto;
}

export class InvoiceListResponse {
  @ApiProperty() totalCount!: number;
  @ApiProperty({ type: [InvoiceResponse] }) items!: InvoiceResponse[];
  @ApiProperty({ type: CollectionLinksDto }) links!: CollectionLinksDto;
}

export class InvoiceLineResponse implements InvoiceLineView {
  @ApiProperty({ example: 'contoso' }) partnerId!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty() customerName!: string;
  @ApiProperty() customerDomainName!: string;
  @ApiProperty({ example: 'contoso-2026-03-USD' }) invoiceNumber!: string;
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty() orderDate!: string;
  @ApiProperty({ format: 'uuid' }) subscriptionId!: string;
  @ApiProperty({ description: 'The subscription’s friendly name when charged' }) subscriptionDescription!: string;
  @ApiProperty({ description: 'The offer id' }) productId!: string;
  @ApiProperty({ description: 'The plan id' }) skuId!: string;
  @ApiProperty() skuName!: string;
  @ApiProperty() productName!: string;
  @ApiProperty() publisherId!: string;
  @ApiProperty() publisherName!: string;
  @ApiProperty({ example: '1 Month Subscription, Monthly billing' }) termAndBillingCycle!: string;
  @ApiProperty({ enum: ['new', 'cycleCharge', 'addQuantity', 'removeQuantity', 'convert', 'cancelImmediate', 'renew'] }) chargeType!: string;
  @ApiProperty({ format: 'date' }) chargeStartDate!: string;
  @ApiProperty({ format: 'date' }) chargeEndDate!: string;
  @ApiProperty({ example: '12.00', description: 'Per seat per term' }) unitPrice!: string;
  @ApiProperty({ example: '12.00', description: 'Per seat for the charged span' }) effectiveUnitPrice!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty() billableQuantity!: number;
  @ApiProperty({ example: '60.00', description: 'Negative for a credit' }) subtotal!: string;
  @ApiProperty({ example: '0.00', description: 'No tax engine' }) taxTotal!: string;
  @ApiProperty({ example: '60.00' }) totalForCustomer!: string;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The indirect reseller’s MPN id when charged' }) resellerMpnId!: string | null;
  @ApiProperty({ format: 'uuid', description: 'The id of the subscription event that caused the charge' }) referenceId!: string;
}

export class InvoiceLineListResponse {
  @ApiProperty() totalCount!: number;
  @ApiProperty({ type: [InvoiceLineResponse] }) items!: InvoiceLineResponse[];
  @ApiProperty({ type: CollectionLinksDto }) links!: CollectionLinksDto;
}

export class ReconciliationFileDto {
  @ApiProperty({ example: '/v1/invoices/reconciliations/3c1f…/files/1', description: 'NDJSON: each line’s JSON, as the line items show it, and a newline' })
  uri!: string;
  @ApiProperty() lineCount!: number;
  @ApiProperty({ description: 'SHA-256 (hex) of the file’s bytes; a single-file export of an issued invoice has its InvoiceIssued linesHash' })
  sha256!: string;
}

export class ReconciliationResponse {
  @ApiProperty({ enum: ['running', 'completed'] }) status!: 'running' | 'completed';
  @ApiProperty({ type: [ReconciliationFileDto], description: 'Empty while running' }) files!: ReconciliationFileDto[];
}
