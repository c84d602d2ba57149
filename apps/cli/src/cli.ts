import { ConfigError } from '@mfh/config';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { history } from './audit/history.command';
import { exportLog } from './audit/export.command';
import { verify } from './audit/verify.command';
import { verifyInvoices } from './audit/verify-invoices.command';
import { CliContext, CliExit, CliIo, EXIT, ExitCode } from './cli-context';
import { rebuild } from './projections/rebuild.command';

const pageSize = () =>
  new Option('--page-size <events>', 'events per read of the log')
    .default(5000)
    .argParser((value: string) => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new InvalidArgumentError('a whole number from 1 to 100000');
      return n;
    });

const progress = () => new Option('--progress', 'show the progress bar on stderr even when it is not a terminal');

function program(context: CliContext): Command {
  const { io } = context;
  const root = new Command('mfh')
    .description('Marketplace Fulfillment Hub: auditing and operations. Settings come from the same environment variables as the apps.')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(--help for usage)');

  // Subcommands inherit exitOverride and the output streams from here.
  const audit = root.command('audit').description('read and check the event log');
  audit
    .command('history')
    .description("a subscription's events as a readable timeline")
    .argument('<subscriptionId>', 'the subscription id (a UUID)')
    .option('--json', 'print the raw events as NDJSON instead')
    .action((id: string, options: { json?: boolean }) => history(context, id, options));
  audit
    .command('verify')
    .description("recompute hash chains: one subscription's, or every stream's with --all")
    .argument('[subscriptionId]', 'the subscription id (a UUID)')
    .option('--all', 'every stream, in one pass over the global log')
    .option('--json', 'print the result as JSON')
    .addOption(progress())
    .addOption(pageSize())
    .action((id: string | undefined, options) => verify(context, id, options));
  audit
    .command('invoices')
    .description('the invoices, re-rated from the subscription logs')
    .command('verify')
    .description("re-rate an invoice's period and compare it with its stored lines: one invoice's, or every invoice's with --all")
    .argument('[invoiceId]', 'the invoice id, e.g. contoso-2026-03-USD')
    .option('--all', 'every invoice the log holds')
    .option('--json', 'print the result as JSON')
    .addOption(progress())
    .addOption(pageSize())
    .action((id: string | undefined, options) => verifyInvoices(context, id, options));
  audit
    .command('export')
    .description('write the global log as NDJSON, one event per line, in order')
    .requiredOption('--out <file>', 'where to write it; - for stdout')
    .option('--after <position>', 'only events after this position (<commit>-<prepare>)')
    .addOption(progress())
    .addOption(pageSize())
    .action((options) => exportLog(context, options));

  const projections = root.command('projections').description('the read models');
  projections
    .command('rebuild')
    .description('rebuild every read model from the log into fresh tables, compare them with the live ones, and swap them in')
    .option('--dry-run', 'build and compare, never swap')
    .option('--force', 'swap even when the rows differ')
    .option('--keep-old', 'keep the replaced tables in a schema of their own instead of dropping them')
    .option('--json', 'print the report as JSON')
    .addOption(progress())
    .addOption(pageSize())
    .action((options) => rebuild(context, options));
  return root;
}

/** Runs one command line (without `node main.js`); resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const context = new CliContext(io);
  try {
    await program(context).parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    return failure(io, error);
  } finally {
    await context.close().catch(() => undefined);
  }
}

function failure(io: CliIo, error: unknown): ExitCode {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof CliExit) {
    if (error.message) io.stderr.write(`${error.message}\n`);
    return error.code;
  }
  if (error instanceof ConfigError) {
    io.stderr.write(`${error.message}\n`);
    return EXIT.usage;
  }
  io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.error;
}
