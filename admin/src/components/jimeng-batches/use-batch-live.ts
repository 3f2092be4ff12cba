import { useCallback, useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { HttpError } from '@refinedev/core';
import { API_URL, request, tokenStore } from '../../providers/api-client';
import { fillPath } from '../../providers/data-provider';
import { resourceApis } from '../../resources';
import { applyBatchEvent, replayBatchEvent } from './batch-live';
import { isActive, type BatchDetail, type BatchProgressEvent } from './types';

/** How the page learns about changes: pushed over socket.io, or (when that fails) polled. */
export type LiveMode = 'connecting' | 'live' | 'polling';

export const POLL_INTERVAL_MS = 5_000;
const SUBSCRIBE_TIMEOUT_MS = 5_000;

/**
 * A batch's status (contract 003 §10.1) kept current: one GET, then `batch.progress` and
 * `batch.completed` events on the `batch:<id>` room patch it in place. If the socket cannot connect
 * or the room refuses us, it polls every 5 s while the batch is still running, and goes back to
 * live when the socket recovers (reloading once to catch anything missed).
 */
export function useBatchLive(batchId: string | undefined) {
  const [detail, setDetail] = useState<BatchDetail | null>(null);
  const [error, setError] = useState<HttpError | null>(null);
  const [loading, setLoading] = useState(true);
  const [mode, setMode] = useState<LiveMode>('connecting');
  const [lastEventAt, setLastEventAt] = useState<number | null>(null);
  const latest = useRef<BatchDetail | null>(null);
  // A GET may answer with a snapshot older than events that arrived while it was in flight; those
  // events are kept and replayed onto the answer. Only the newest GET's answer is used.
  const inFlight = useRef<{ seq: number; events: BatchProgressEvent[] } | null>(null);
  const seq = useRef(0);

  const reload = useCallback(async () => {
    if (!batchId) return;
    const mine = { seq: ++seq.current, events: [] as BatchProgressEvent[] };
    inFlight.current = mine;
    try {
      const path = fillPath(resourceApis.jimeng_batches?.detail ?? '/api/v1/jimeng/batch/:id/status', {
        id: batchId,
      });
      const { data } = await request<BatchDetail>(path);
      if (inFlight.current !== mine) return;
      const fresh = { ...data, details: Array.isArray(data?.details) ? data.details : [] };
      const caughtUp = mine.events.reduce(replayBatchEvent, fresh);
      latest.current = caughtUp;
      setDetail(caughtUp);
      setError(null);
    } catch (caught) {
      if (inFlight.current === mine) setError(caught as HttpError);
    } finally {
      if (inFlight.current === mine) {
        inFlight.current = null;
        setLoading(false);
      }
    }
  }, [batchId]);

  useEffect(() => {
    setLoading(true);
    setDetail(null);
    latest.current = null;
    void reload();
  }, [reload]);

  useEffect(() => {
    if (!batchId) return undefined;
    const room = `batch:${batchId}`;
    const socket: Socket = io(API_URL || undefined, {
      path: '/socket.io',
      auth: { token: tokenStore.get() ?? '' },
      reconnectionDelayMax: 10_000,
    });
    let everLive = false;

    const onEvent = (event: BatchProgressEvent) => {
      inFlight.current?.events.push(event);
      if (!latest.current) return;
      const next = applyBatchEvent(latest.current, event);
      latest.current = next;
      setDetail(next);
      setLastEventAt(Date.now());
    };
    socket.on('connect', () => {
      socket
        .timeout(SUBSCRIBE_TIMEOUT_MS)
        .emit('subscribe', { room }, (err: Error | null, ack?: { ok?: boolean }) => {
          if (err || !ack?.ok) {
            setMode('polling');
            return;
          }
          setMode('live');
          // Events sent before we joined (or while disconnected) are not replayed: reload once.
          if (everLive || latest.current) void reload();
          everLive = true;
        });
    });
    socket.on('connect_error', () => setMode('polling'));
    socket.on('disconnect', () => setMode('polling'));
    socket.on('batch.progress', onEvent);
    socket.on('batch.completed', (event: BatchProgressEvent) => {
      onEvent(event);
      // The final event may not carry every item; the status endpoint has them all.
      void reload();
    });
    return () => {
      socket.emit('unsubscribe', { room });
      socket.close();
    };
  }, [batchId, reload]);

  const active = isActive(detail?.status);
  useEffect(() => {
    if (mode === 'live' || !active) return undefined;
    const timer = window.setInterval(() => void reload(), POLL_INTERVAL_MS);
    return () => window.clearInterval(timer);
  }, [mode, active, reload]);

  return { detail, error, loading, mode, lastEventAt, reload };
}
