import { CostrailError } from '../errors/costrail-error.js';

/** An error the CLI prints as one line (`costrail: <message>`) before exiting non-zero. */
export class CliError extends CostrailError {
  readonly code = 'cli_error';
  /** What the person typed cannot work as given (never answered over HTTP; 400 if it ever is). */
  readonly status = 400;
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}
