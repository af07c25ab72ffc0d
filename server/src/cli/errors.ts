import { EXIT } from '../constants';

/** An error the CLI reports in one line and turns into its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(`${message} (see strapi-backup --help)`, EXIT.usage);
