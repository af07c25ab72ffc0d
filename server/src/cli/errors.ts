import { EXIT } from '../../../shared/constants';
import { errorMessage } from '../utils';

/** An error the CLI reports in one line and turns into its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(`${message} (see strapi-backup --help)`, EXIT.usage);

/** The boot itself failed (compiling or loading the app), not the command line: the offline restore's cue. */
export class BootError extends Error {
  override readonly name = 'BootError';
  constructor(readonly cause: unknown) {
    super(errorMessage(cause));
  }
}
