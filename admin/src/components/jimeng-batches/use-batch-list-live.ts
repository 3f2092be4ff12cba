import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { API_URL, tokenStore } from '../../providers/api-client';
import type { LiveMode } from './use-batch-live';

/** The server's batch list room: it joins staff to their own batches, admins to every batch. */
export const BATCH_LIST_ROOM = 'batches';
export const BATCH_LIST_EVENTS = ['batch.created', 'batch.finished'] as const;
const SUBSCRIBE_TIMEOUT_MS = 5_000;

/**
 * How often the list reloads by itself: every 5 s while a batch on it runs (its progress bar
 * moves; the room announces only creation and the end), otherwise never while the room is live,
 * and every 30 s as a fallback when it is not.
 */
export function listPollInterval(mode: LiveMode, anyRunning: boolean): number | false {
  if (anyRunning) return 5_000;
  return mode === 'live' ? false : 30_000;
}

/**
 * Keeps the batch list current without waiting for a poll: joins the `batches` socket.io room and
 * calls `onChange` when a batch is created or finishes. `mode` says whether that works; the list
 * polls only while it is not `live`. After a reconnect it calls `onChange` once to catch up.
 */
export function useBatchListLive(onChange: () => void): LiveMode {
  const [mode, setMode] = useState<LiveMode>('connecting');
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
    return () => {
      socket.emit('unsubscribe', { room: BATCH_LIST_ROOM });
      socket.close();
    };
  }, []);

  return mode;
}
