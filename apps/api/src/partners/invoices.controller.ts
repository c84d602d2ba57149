import { Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  GetInvoice,
  GetReconciliation,
  ListInvoiceLines,
  ListInvoices,
  ListUnbilledLines,
  ReadReconciliationFile,
  ReconciliationTarget,
  RequestReconciliation,
  UnbilledPeriod,
} from '@mfh/application';
import type { Page, ReconciliationExport } from '@mfh/read-models';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { Roles } from '../auth/auth.decorators';
import { NDJSON } from '../auditors/ndjson';
import { InvoiceIdPipe, PositiveIntPipe, UuidPipe } from '../http/params';
import { AuthenticatedClient, CurrentClient } from '../http/request-context';
import { LinkDto, ProblemDto } from './dto/common.dto';
import { collectionJson } from './partner-views.service';
import {
  InvoiceLineListResponse,
  InvoiceLinesQuery,
  InvoiceListQuery,
  InvoiceListResponse,
  InvoiceResponse,
  ReconciliationResponse,
  UnbilledLinesQuery,
  UnbilledPeriodQuery,
} from './dto/invoice.dto';

/** An export of a few thousand lines is written in well under this. */
const RETRY_AFTER_SECONDS = '1';
const RECONCILIATIONS = '/v1/invoices/reconciliations';

/**
 * Partner Center's collection: `links.self` (the page asked for), and `links.next` with a
 * continuation token while more remain; both carry the list's own parameters.
 */
function collection<T>(page: Page<T>, path: string, parameters: Record<string, string | undefined>, size: number, asked: string | undefined) {
  const link = (continuationToken: string | undefined): LinkDto => {
    const query = Object.entries({ ...parameters, size: String(size), continuationToken }).filter((entry): entry is [string, string] => entry[1] !== undefined);
    return { uri: `${path}?${new URLSearchParams(query)}`, method: 'GET', headers: [] };
  };
  const next = page.continuationToken ? { next: link(page.continuationToken) } : {};
  return { totalCount: page.totalCount, items: page.items, links: { self: link(asked), ...next } };
}

/**
 * A page of lines as the read model stores them, each already its JSON text: only the collection
 * around them is serialised, so a page of 500 is neither parsed nor stringified again.
 */
function linesCollection(reply: FastifyReply, page: Page<string>, path: string, parameters: Record<string, string | undefined>, size: number, asked: string | undefined): string {
  return collectionJson(reply, collection({ ...page, items: [] }, path, parameters, size, asked), page.items);
}

const unbilledPeriod = (partnerId: string, query: UnbilledPeriodQuery): UnbilledPeriod => ({
  partnerId,
  currency: query.currencycode,
  period: query.period,
  testClockId: query.testClockId?.toLowerCase() ?? null,
});

const reconciliationView = ({ id, status, files }: ReconciliationExport): ReconciliationResponse => ({
  status,
  files: files.map((file) => ({ uri: `${RECONCILIATIONS}/${id}/files/${file.index}`, lineCount: file.lineCount, sha256: file.sha256 })),
});

@ApiTags('partner')
@ApiBearerAuth()
@Roles('partner')
@ApiBadRequestResponse({ type: ProblemDto })
@Controller('v1/invoices')
export class InvoicesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: "This partner's issued invoices, newest first (read model); with testClockId, that test clock's instead of the real ones" })
  @ApiOkResponse({ type: InvoiceListResponse })
  async list(@CurrentClient() client: AuthenticatedClient, @Query() query: InvoiceListQuery): Promise<InvoiceListResponse> {
    const size = query.size ?? 100;
    const testClockId = query.testClockId?.toLowerCase();
    const page = await this.queries.execute(new ListInvoices(client.tenantId!, testClockId ?? null, { size, continuationToken: query.continuationToken }));
    return collection(page, '/v1/invoices', { testClockId }, size, query.continuationToken);
  }

  @Get('unbilled/lineitems')
  @ApiOperation({ summary: "The open period's lines: this month's (current) or, until it is issued, last month's (previous)" })
  @ApiOkResponse({ type: InvoiceLineListResponse })
  async unbilled(
    @CurrentClient() client: AuthenticatedClient,
    @Query() query: UnbilledLinesQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const size = query.size ?? 100;
    const period = unbilledPeriod(client.tenantId!, query);
    const page = await this.queries.execute(new ListUnbilledLines(period, { size, continuationToken: query.continuationToken }));
    const { currency: currencycode, period: name, testClockId } = period;
    const parameters = { provider: 'onetime', invoicelineitemtype: 'billinglineitems', currencycode, period: name, testClockId: testClockId ?? undefined };
    return linesCollection(reply, page, '/v1/invoices/unbilled/lineitems', parameters, size, query.continuationToken);
  }

  @Post('unbilled/reconciliation')
  @HttpCode(202)
  @ApiOperation({ summary: "Reconciliation files of the open period's lines as they are now; poll the Location" })
  @ApiAcceptedResponse({ type: ReconciliationResponse, headers: { Location: { description: 'Where to poll' }, 'Retry-After': { description: 'Seconds' } } })
  @ApiServiceUnavailableResponse({ type: ProblemDto, description: 'The export could not be queued; send it again' })
  reconcileUnbilled(
    @CurrentClient() client: AuthenticatedClient,
    @Query() query: UnbilledPeriodQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReconciliationResponse> {
    return this.reconcile(client.tenantId!, { unbilled: unbilledPeriod(client.tenantId!, query) }, reply);
  }

  @Get('reconciliations/:exportId')
  @ApiOperation({ summary: 'A reconciliation export: running, then completed with its files (NDJSON, a fixed number of lines each)' })
  @ApiOkResponse({ type: ReconciliationResponse, headers: { 'Retry-After': { description: 'While running: seconds until it is worth asking again' } } })
  @ApiNotFoundResponse({ type: ProblemDto })
  async reconciliation(
    @CurrentClient() client: AuthenticatedClient,
    @Param('exportId', UuidPipe) exportId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReconciliationResponse> {
    const found = await this.queries.execute(new GetReconciliation(client.tenantId!, exportId));
    if (found.status === 'running') void reply.header('Retry-After', RETRY_AFTER_SECONDS);
    return reconciliationView(found);
  }

  @Get('reconciliations/:exportId/files/:index')
  @ApiOperation({ summary: 'One file of a completed export, streamed: each line as the line items show it, one JSON object per line' })
  @ApiProduces(NDJSON)
  @ApiOkResponse({ description: `${NDJSON}: its bytes hash to the file's sha256` })
  @ApiNotFoundResponse({ type: ProblemDto })
  async file(
    @CurrentClient() client: AuthenticatedClient,
    @Param('exportId', UuidPipe) exportId: string,
    @Param('index', PositiveIntPipe) index: number,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Readable> {
    const { invoiceId, file, chunks } = await this.queries.execute(new ReadReconciliationFile(client.tenantId!, exportId, index));
    void reply
      .header('Content-Type', `${NDJSON}; charset=utf-8`)
      .header('Content-Disposition', `attachment; filename="${invoiceId}-${file.index}.ndjson"`)
      .header('ETag', `"${file.sha256}"`);
    return Readable.from(chunks, { objectMode: false, highWaterMark: 1 });
  }

  @Get(':invoiceId')
  @ApiOperation({ summary: 'One issued invoice of this partner' })
  @ApiOkResponse({ type: InvoiceResponse })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No issued invoice of this partner with that id' })
  get(@CurrentClient() client: AuthenticatedClient, @Param('invoiceId', InvoiceIdPipe) invoiceId: string): Promise<InvoiceResponse> {
    return this.queries.execute(new GetInvoice(client.tenantId!, invoiceId));
  }

  @Get(':invoiceId/lineitems')
  @ApiOperation({ summary: "An issued invoice's lines, in the order they were charged" })
  @ApiOkResponse({ type: InvoiceLineListResponse })
  @ApiNotFoundResponse({ type: ProblemDto })
  async lines(
    @CurrentClient() client: AuthenticatedClient,
    @Param('invoiceId', InvoiceIdPipe) invoiceId: string,
    @Query() query: InvoiceLinesQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const size = query.size ?? 100;
    const page = await this.queries.execute(new ListInvoiceLines(client.tenantId!, invoiceId, { size, continuationToken: query.continuationToken }));
    return linesCollection(reply, page, `/v1/invoices/${invoiceId}/lineitems`, { provider: 'onetime', invoicelineitemtype: 'billinglineitems' }, size, query.continuationToken);
  }

  @Post(':invoiceId/reconciliation')
  @HttpCode(202)
  @ApiOperation({ summary: "Reconciliation files of an issued invoice's lines; poll the Location" })
  @ApiAcceptedResponse({ type: ReconciliationResponse, headers: { Location: { description: 'Where to poll' }, 'Retry-After': { description: 'Seconds' } } })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiServiceUnavailableResponse({ type: ProblemDto, description: 'The export could not be queued; send it again' })
  reconcileInvoice(
    @CurrentClient() client: AuthenticatedClient,
    @Param('invoiceId', InvoiceIdPipe) invoiceId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReconciliationResponse> {
    return this.reconcile(client.tenantId!, { invoiceId }, reply);
  }

  private async reconcile(partnerId: string, target: ReconciliationTarget, reply: FastifyReply): Promise<ReconciliationResponse> {
    const requested = await this.commands.execute(new RequestReconciliation(partnerId, target));
    void reply.header('Location', `${RECONCILIATIONS}/${requested.id}`).header('Retry-After', RETRY_AFTER_SECONDS);
    return reconciliationView(requested);
  }
}
