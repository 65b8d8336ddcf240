/** The streams a CLI command writes to, so commands do not reach for process.* directly. */

export interface CliStream {
  write(s: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  cwd: string;
}

/** A command-line mistake: reported with a usage hint and exit code 1. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The text of a thrown value. */
export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Exit codes shared by all commands. */
export const EXIT_OK = 0;
export const EXIT_USAGE = 1;
export const EXIT_INPUT = 2;
export const EXIT_INTERRUPTED = 130;

/** Parameters every command's run() receives. */
export interface CliCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full help text of the command. */
  help: string;
  run(args: string[], io: CliIo): Promise<number>;
}
