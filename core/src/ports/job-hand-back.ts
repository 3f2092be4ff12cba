/**
 * The abort reason of a job whose worker is stopping and gives the job back (see
 * JobQueue.handBackActive), as opposed to a cancel. A handler seeing it stops without ending its
 * task (no failure, no cancel, no attempt spent on the aborted call) and throws: the queue then
 * returns the job to the waiting list, where another worker takes it at once. A string, because
 * that is what BullMQ passes on as an abort reason.
 */
export const HAND_BACK_REASON = 'handed back to the queue: this worker is stopping';

/** Whether `signal` aborted because the job is being handed back (not cancelled). */
export function isHandedBack(signal: AbortSignal | undefined): boolean {
  return !!signal?.aborted && signal.reason === HAND_BACK_REASON;
}

/** What a handler throws once its job is handed back. */
export class JobHandedBack extends Error {
  constructor() {
    super(HAND_BACK_REASON);
    this.name = 'JobHandedBack';
  }
}
