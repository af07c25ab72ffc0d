/**
 * Errors a restore throws on purpose, so callers can tell "this archive cannot be restored here"
 * (the CLI's exit 4, a 400 in the API) from a failure while restoring (exit 1). Both leave the
 * site as it was: the database rolled back, the upload directory and project files untouched.
 */

/** The archive is refused: it changed since it was checked, is unsafe, or does not fit this database. */
export class ArchiveRefusedError extends Error {
  readonly reasons: string[];

  constructor(reasons: string[], summary = 'The archive cannot be restored here; nothing was changed') {
    super(`${summary}:\n- ${reasons.join('\n- ')}`);
    this.name = 'ArchiveRefusedError';
    this.reasons = reasons;
  }
}

/**
 * A row, a foreign key or the file system made the restore fail. Everything was rolled back,
 * unless `databaseRestored` says the database had committed when a file swap failed.
 */
export class RestoreFailedError extends Error {
  /** True only when the database commit happened and a file swap after it failed. */
  databaseRestored = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RestoreFailedError';
  }
}
