import {
  InvoicesVerification,
  InvoiceVerification,
  LineDifference,
  VerifyInvoice,
  VerifyInvoiceHandler,
  VerifyInvoices,
  VerifyInvoicesHandler,
} from '@mfh/application';
import { isDomainError } from '@mfh/domain';
import { performance } from 'node:perf_hooks';
import { CliContext, CliExit, count, EXIT, seconds, write } from '../cli-context';
import { progressBar } from '../progress';

export interface VerifyInvoicesOptions {
  all?: boolean;
  json?: boolean;
  progress?: boolean;
  pageSize: number;
}

/** `audit invoices verify <invoiceId>` or `--all`: re-rates each invoice from the subscription logs; exit 1 when one is not as rated. */
export async function verifyInvoices(context: CliContext, invoiceId: string | undefined, options: VerifyInvoicesOptions): Promise<void> {
  if (Boolean(options.all) === (invoiceId !== undefined)) throw new CliExit(EXIT.usage, 'Give either an invoice id or --all');
  if (invoiceId !== undefined) return verifyOne(context, invoiceId, options);
  return verifyAll(context, options);
}

async function verifyOne(context: CliContext, invoiceId: string, options: VerifyInvoicesOptions): Promise<void> {
  const handler = new VerifyInvoiceHandler(await context.eventStore(), context.subscriptions());
  const result = await handler.execute(new VerifyInvoice(invoiceId)).catch((error: unknown) => {
    if (isDomainError(error) && error.code === 'invoice-not-found') throw new CliExit(EXIT.failed, `No invoice ${invoiceId}`);
    if (isDomainError(error) && error.code === 'invalid-invoice-id') throw new CliExit(EXIT.usage, `Not an invoice id: ${invoiceId}`);
    throw error;
  });
  await write(context.io.stdout, options.json ? `${JSON.stringify(result)}\n` : report(result));
  if (!result.valid) throw new CliExit(EXIT.failed);
}

async function verifyAll(context: CliContext, options: VerifyInvoicesOptions): Promise<void> {
  const total = options.progress || context.io.stderr.isTTY ? await context.countEvents() : null;
  const bar = progressBar(context.io, { label: 'invoices', total, force: options.progress });
  const started = performance.now();
  let checked: InvoicesVerification;
  try {
    const handler = new VerifyInvoicesHandler(await context.eventStore(), context.subscriptions());
    checked = await handler.execute(
      new VerifyInvoices(options.pageSize, ({ eventsRead, invoicesVerified, invoices }) =>
        bar.update(eventsRead, invoices === null ? 'finding invoices' : `${count(invoicesVerified)}/${count(invoices)} invoices verified`),
      ),
    );
  } finally {
    bar.stop();
  }
  const ms = performance.now() - started;
  const { invoices, unrecognized } = checked;
  const invalid = invoices.filter((invoice) => !invoice.valid);
  const { stdout } = context.io;
  if (options.json) {
    await write(stdout, `${JSON.stringify({ valid: invalid.length === 0 && unrecognized.length === 0, invoices, unrecognized, ms: Math.round(ms) })}\n`);
  } else {
    const lines = [`Verified ${count(invoices.length)} invoice${invoices.length === 1 ? '' : 's'} in ${seconds(ms)}`];
    for (const id of unrecognized) lines.push(`invoice-${id}: not an invoice id`);
    lines.push(invalid.length === 0 && unrecognized.length === 0 ? 'Every invoice is as re-rated.' : `${count(invalid.length + unrecognized.length)} not as re-rated:`);
    await write(stdout, `${lines.join('\n')}\n${invalid.map(report).join('')}`);
  }
  if (invalid.length > 0 || unrecognized.length > 0) throw new CliExit(EXIT.failed);
}

/** One invoice: a heading, then what is wrong, one finding a line. */
function report(result: InvoiceVerification): string {
  const heading = `${result.invoiceId} (${result.status}): ${result.valid ? 'valid' : 'INVALID'}, ${count(result.lines)} lines, total ${result.totalCharges}`;
  if (result.valid) return `${heading}\n`;
  const lines = [`${heading} (re-rated: ${count(result.expectedLines)} lines, ${result.expectedTotalCharges})`];
  if (!result.chain.valid) lines.push(`  hash chain broken at revision ${result.chain.brokenAtRevision} (${result.chain.reason})`);
  const issued = result.issued;
  if (issued && !issued.valid) {
    for (const field of ['lineCount', 'totalCharges', 'linesHash'] as const) {
      const { stated, actual } = issued[field];
      if (stated !== actual) lines.push(`  InvoiceIssued ${field} ${String(stated)}, the lines give ${actual}`);
    }
    if (issued.linesAfterIssue > 0) lines.push(`  ${count(issued.linesAfterIssue)} lines recorded after InvoiceIssued`);
  }
  for (const difference of result.differences) lines.push(`  ${difference.lineId ?? '(no line id)'}  ${describe(difference)}`);
  return `${lines.join('\n')}\n`;
}

function describe(difference: LineDifference): string {
  const { expected, stored } = difference;
  switch (difference.reason) {
    case 'missing':
      return `missing: ${expected?.chargeType} ${expected?.amount} for subscription ${expected?.subscriptionId}`;
    case 'unexpected':
      return `unexpected: ${String(stored?.chargeType)} ${String(stored?.amount)} at revision ${difference.storedRevision}`;
    case 'duplicate':
      return `duplicate at revision ${difference.storedRevision}${difference.chargedOn ? `, already on ${difference.chargedOn}` : ''}`;
    case 'altered':
      return `altered at revision ${difference.storedRevision}: ${difference.fields
        .map((field) => `${field} ${JSON.stringify(stored?.[field as keyof typeof stored])}, re-rated ${JSON.stringify(expected?.[field as keyof typeof expected])}`)
        .join('; ')}`;
  }
}
