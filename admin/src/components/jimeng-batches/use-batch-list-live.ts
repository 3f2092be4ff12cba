import { useCallback, useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { API_URL, tokenStore } from '../../providers/api-client';
import { withListProgress } from './batch-live';
import type { BatchProgressEvent, BatchSummary } from './types';
import type { LiveMode } from './use-batch-live';

/** The server's batch list room: it joins staff to their own batches, admins to every batch. */
export const BATCH_LIST_ROOM = 'batches';
/** Events after which the list reloads (a batch appeared or ended). */
export const BATCH_LIST_EVENTS = ['batch.created', 'batch.finished'] as const;
/** A running batch's fresh counts: laid over its row, no reload. */
export const BATCH_LIST_PROGRESS = 'batch.progress';
const SUBSCRIBE_TIMEOUT_MS = 5_000;

/**
 * How often the list reloads by itself: never while the room is live (new and finished batches
 * reload it, running batches' counts arrive as `batch.progress`); while it is not, every 5 s when
 * a batch on it runs (its bar moves) and every 30 s otherwise.
 */
export function listPollInterval(mode: LiveMode, anyRunning: boolean): number | false {
  if (mode === 'live') return false;
  return anyRunning ? 5_000 : 30_000;
}

/**
 * Keeps the batch list current without waiting for a poll: joins the `batches` socket.io room,
 * calls `onChange` when a batch is created or finishes, and keeps each running batch's newest
 * counts for `live(row)`, which lays them over the row the list holds. `mode` says whether that
 * works; the list polls only while it is not `live`. After a reconnect it calls `onChange` once.
 *
 * Why not Refine's liveProvider: its `auto` mode answers every event by refetching the list (one
 * GET per progress event per open list, the poll again in another form) and its `manual` mode
 * leaves applying the payload to the page anyway, behind a provider whose channels
 * (`resources/<name>`) are not the server's rooms (`batches`, joined by ack with a polling
 * fallback). Laying the counts over the rows here costs no request at all.
 */
export function useBatchListLive(onChange: () => void): {
  mode: LiveMode;
  live: <Row extends BatchSummary>(row: Row) => Row;
} {
  const [mode, setMode] = useState<LiveMode>('connecting');
  const [progress, setProgress] = useState<ReadonlyMap<string, BatchProgressEvent>>(new Map());
  // The latest callback without re-opening the socket on every render.
  const callback = useRef(onChange);
  callback.current = onChange;

  useEffect(() => {
    const socket: Socket = io(API_URL || undefined, {
      path: '/socket.io',
      auth: { token: tokenStore.get() ?? '' },
      reconnectionDelayMax: 10_000,
    });
    let everLive = false;
    socket.on('connect', () => {
      socket
        .timeout(SUBSCRIBE_TIMEOUT_MS)
        .emit('subscribe', { room: BATCH_LIST_ROOM }, (err: Error | null, ack?: { ok?: boolean }) => {
          if (err || !ack?.ok) {
            setMode('polling');
            return;
          }
          setMode('live');
          if (everLive) callback.current();
          everLive = true;
        });
    });
    socket.on('connect_error', () => setMode('polling'));
    socket.on('disconnect', () => setMode('polling'));
    for (const name of BATCH_LIST_EVENTS) socket.on(name, () => callback.current());
    socket.on(BATCH_LIST_PROGRESS, (event: BatchProgressEvent) => {
      if (!event?.batch_id) return;
      setProgress((known) => new Map(known).set(event.batch_id, event));
    });
    return () => {
      socket.emit('unsubscribe', { room: BATCH_LIST_ROOM });
      socket.close();
    };
  }, []);

  const live = useCallback(
    <Row extends BatchSummary>(row: Row): Row => withListProgress(row, progress.get(row.batch_id)),
    [progress],
  );
  return { mode, live };
}
