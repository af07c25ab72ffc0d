/**
 * Verifies started from the admin, one at a time per archive. A verify reads the whole archive,
 * so a second click (or a script) on the same record would only double the disk reads; it is
 * refused with the running one's progress instead. Kept per process: another instance's verify
 * of the same archive reads its own copy of the bytes.
 */
import type { Core } from '@strapi/strapi';
import { verifyArchive, type VerifyResult } from '../engine';

export interface VerifyProgress {
  /** Bytes of the archive read so far, and its size. */
  read: number;
  size: number;
  percent: number;
}

export type VerifyStart = { started: true; result: Promise<VerifyResult> } | { started: false; running: VerifyProgress };

const percentOf = (read: number, size: number) => (size > 0 ? Math.min(100, Math.floor((read / size) * 100)) : 0);

const createVerificationsService = (_: { strapi: Core.Strapi }) => {
  const active = new Map<string, VerifyProgress>();

  return {
    /**
     * Starts verifying `file` for record `documentId`, unless a verify of it already runs here.
     * The check and the claim happen in one synchronous step, so two requests cannot both start.
     */
    start(documentId: string, file: string, options: { expectedSha256?: string; signal: AbortSignal }): VerifyStart {
      const running = active.get(documentId);
      if (running) return { started: false, running: { ...running } };
      const progress: VerifyProgress = { read: 0, size: 0, percent: 0 };
      active.set(documentId, progress);
      const result = verifyArchive(file, {
        ...options,
        onProgress: (read, size) => Object.assign(progress, { read, size, percent: percentOf(read, size) }),
      }).finally(() => active.delete(documentId));
      return { started: true, result };
    },

    /** Verifies running in this process, by record documentId (for diagnostics and tests). */
    running: (): Record<string, VerifyProgress> => Object.fromEntries([...active].map(([id, p]) => [id, { ...p }])),
  };
};

export default createVerificationsService;
