/**
 * What the server types as maybe-refused or maybe-missing, settled for a test: a test that expects
 * an accepted request, a row or a time fails with what it got instead, not with a TypeError on null.
 */
import type { EnqueueResult } from '../../server/src/services/queue-rules';

export type Accepted = Extract<EnqueueResult, { accepted: true }>;
export type Refused = Extract<EnqueueResult, { accepted: false }>;

/** For `.filter`: the accepted results of a queue's enqueue or a restorer's request. */
export const isAccepted = (result: EnqueueResult): result is Accepted => result.accepted;

/** For `.filter`: the refused ones. */
export const isRefused = (result: EnqueueResult): result is Refused => !result.accepted;

/** The accepted result (with its record); throws the refusal's reason and message otherwise. */
export const accepted = (result: EnqueueResult): Accepted => {
  if (result.accepted) return result;
  throw new Error(`expected the request to be accepted; it was refused (${result.reason}): ${result.message}`);
};

/** The refused result (with its reason and, if written, its rejectedRecord); throws if it was accepted. */
export const refused = (result: EnqueueResult): Refused => {
  if (!result.accepted) return result;
  throw new Error(`expected the request to be refused; it was accepted as record ${result.record.id} (position ${result.position})`);
};

/** The value when there is one; throws `${what} not found` on null or undefined. */
export const found = <T>(value: T | null | undefined, what: string): T => {
  if (value === null || value === undefined) throw new Error(`${what} not found`);
  return value;
};

/** An ISO time of a record (typed maybe-null: a job not started has no startedAt) in ms. */
export const time = (iso: string | null | undefined, what = 'the time'): number => Date.parse(found(iso, what));
