import { ConfigError } from '../config/env';
import { StartupError } from '../startup';

/** A failure the operator can fix: printed as one line, exit code as given. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 64, // EX_USAGE: bad arguments or input
  ) {
    super(message);
    this.name = 'CliError';
  }
}

function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof ConfigError) return 78; // EX_CONFIG, as the server uses
  if (err instanceof StartupError) return 69; // EX_UNAVAILABLE
  return 1;
}

function messageOf(err: unknown): string {
  if (err instanceof ConfigError) return `invalid configuration: ${err.message}`;
  if (err instanceof CliError || err instanceof StartupError) return err.message;
  return `failed: ${err instanceof Error ? err.message : String(err)}`;
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();

/** Runs a command-line tool: its result is one line on stdout, any failure one line on
 *  stderr and a non-zero exit code. The process ends by itself once the tool has closed
 *  its connections, so buffered output is never cut short by process.exit. */
export function runCli(name: string, main: () => Promise<string>): void {
  main().then(
    (result) => console.log(`${name}: ${oneLine(result)}`),
    (err: unknown) => {
      console.error(`${name}: ${oneLine(messageOf(err))}`);
      process.exitCode = exitCodeOf(err);
    },
  );
}
