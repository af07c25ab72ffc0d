/**
 * Two halves of one job run side by side (a backup's database and files; a restore's tables and
 * files): the caller's abort, or the first failure of either half, stops both, and the job fails
 * with that first failure once both have settled.
 */
import { abortError } from './hash-stream';

/** A controller the caller's signal aborts too; `dispose` stops listening to the caller's. */
export function linkedAbort(outer?: AbortSignal): { controller: AbortController; dispose: () => void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(abortError(outer));
  if (outer?.aborted)
    onAbort(); // no 'abort' event comes for a signal aborted already
  else outer?.addEventListener('abort', onAbort, { once: true });
  return { controller, dispose: () => outer?.removeEventListener('abort', onAbort) };
}

/** Like Promise.all, but on the first failure aborts the others and waits for them to settle. */
export async function allOrAbort<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }, controller: AbortController): Promise<T> {
  let first: { error: unknown } | null = null;
  const settled = promises.map((p) =>
    p.catch((err) => {
      // The first failure is the cause; the other half then fails with an AbortError.
      if (!first) first = { error: err };
      controller.abort(err);
      throw err;
    }),
  );
  const results = await Promise.allSettled(settled);
  if (first) throw (first as { error: unknown }).error;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
