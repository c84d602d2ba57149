/** How a benchmark script runs: its main() decides the exit code, since open handles must not keep it alive. */

/** Runs `main` and exits: 0 when it resolves, 1 with the error printed when it rejects. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(1);
    },
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
