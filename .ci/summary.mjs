/* global process */
// Turns Jest's --json output into the run's result. Usage: node .ci/summary.mjs <jest.json>
// Prints the failing tests and suites (if any), then, as its LAST line, exactly
// `<numPassedTests> passed, <numFailedTests> failed`: that line is how CI reads the test count.
// Exit code: 0 when Jest reported success, 1 when it did not, 2 when the file is missing or unreadable.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const file = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  process.stderr.write(`ci: no readable Jest result at ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}

// Strips ANSI colours and Jest's headline from a suite's failure message; keeps its first real line.
const firstLine = (message) =>
  (message ?? '')
    // eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '' && !line.startsWith('●')) ?? 'failed to run';

const lines = [];
for (const suite of report.testResults ?? []) {
  const name = relative(process.cwd(), suite.name);
  const failedTests = (suite.assertionResults ?? []).filter((test) => test.status === 'failed');
  for (const test of failedTests) lines.push(`  FAIL ${name}: ${test.fullName}`);
  if (suite.status === 'failed' && failedTests.length === 0) {
    // The file itself failed (it did not load, a hook threw, ...): no test inside counts it.
    lines.push(`  SUITE FAILED ${name}: ${firstLine(suite.message).slice(0, 300)}`);
  }
}
if (lines.length > 0) process.stdout.write(`Failures:\n${lines.join('\n')}\n`);

const suites = `suites: ${report.numPassedTestSuites} passed, ${report.numFailedTestSuites} failed` +
  (report.numRuntimeErrorTestSuites ? ` (${report.numRuntimeErrorTestSuites} could not run)` : '') +
  `, ${report.numTotalTestSuites} total; tests skipped: ${report.numPendingTests + (report.numTodoTests ?? 0)}`;
process.stdout.write(`${suites}\n`);
process.stdout.write(`${report.numPassedTests} passed, ${report.numFailedTests} failed\n`);
process.exit(report.success ? 0 : 1);
