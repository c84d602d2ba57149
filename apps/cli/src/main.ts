import { runCli } from './cli';

void runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((code) => {
  process.exitCode = code;
  // Everything is closed by now; this only fires if a stray handle would keep the process alive.
  setTimeout(() => process.exit(code), 2_000).unref();
});
