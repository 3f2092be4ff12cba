import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  FanOutEvents,
  TaskEvents,
  imageDto,
  isAppError,
  type Actor,
  type Core,
  type DomainEvent,
  type FanOutFinishedEvent,
  type GenerationTaskDto,
  type NanobananaScope,
  type TaskOutputStoredEvent,
  ANONYMOUS_WORKSPACE_USER_ID,
} from '@dreamloom/core';

const PATH = /^\/api\/v1\/ws\/generate\/([A-Za-z0-9-]{1,64})\/?$/;

/** Contract 004's WebSocket message. */
interface ProgressMessage {
  type: 'progress' | 'complete' | 'error';
  taskId: string;
  completedCount: number;
  totalCount: number;
  latestImage: ReturnType<typeof imageDto> | null;
  message: string;
}

/**
 * Contract 004's raw WebSocket, `/api/v1/ws/generate/:taskId`, beside socket.io on the same HTTP
 * server. Only that path is upgraded here (engine.io keeps /socket.io). Task events come from
 * Redis pub/sub, so a client may connect to any node. Browsers cannot send headers on a
 * WebSocket, so a signed-in caller passes `?token=`; without one the anonymous workspace applies
 * when NANOBANANA_ANONYMOUS is on. Past NANOBANANA_WS_MAX_CONNECTIONS the server accepts the
 * upgrade and closes at once with 1013 (Try Again Later), as the contract says.
 */
export async function attachNanobananaWebSocket(core: Core, httpServer: HttpServer) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const watchers = new Map<string, Set<WebSocket>>();
  // Positions finish concurrently and their events can overtake each other; the count shown to
  // clients only moves forward while a task runs (the `complete` message carries the final one).
  const shownCount = new Map<string, number>();
  let open = 0;

  const send = (socket: WebSocket, message: ProgressMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const finishMessage = (taskId: string, finished: FanOutFinishedEvent): ProgressMessage => ({
    type: 'complete',
    taskId,
    completedCount: finished.completedCount,
    totalCount: finished.totalCount,
    latestImage: null,
    message: `任务完成: 成功 ${finished.totalCount - finished.failedCount}, 失败 ${finished.failedCount}`,
  });

  const onEvent = (event: DomainEvent) => {
    if (!event.room.startsWith('task:')) return;
    const taskId = event.room.slice('task:'.length);
    const sockets = watchers.get(taskId);
    if (!sockets?.size) return;
    let message: ProgressMessage | null = null;
    let last = false;
    if (event.name === FanOutEvents.output) {
      const payload = event.payload as TaskOutputStoredEvent;
      const completedCount = Math.max(shownCount.get(taskId) ?? 0, payload.completedCount);
      shownCount.set(taskId, completedCount);
      message = {
        type: 'progress',
        taskId,
        completedCount,
        totalCount: payload.totalCount,
        latestImage: imageDto({
          id: payload.output.id,
          task_id: taskId,
          storage_key: payload.output.storageKey,
          thumbnail_key: payload.output.thumbnailKey,
          size_bytes: payload.output.sizeBytes,
          width: payload.output.width,
          height: payload.output.height,
          mime: payload.output.mime,
          created_at: payload.output.createdAt,
        }),
        message: `已完成 ${completedCount}/${payload.totalCount}`,
      };
    } else if (event.name === TaskEvents.completed || event.name === TaskEvents.failed) {
      const payload = event.payload as Partial<FanOutFinishedEvent> & { error?: { message: string } };
      last = true;
      // Item failures end as a `complete` with the tally (contract: no separate error for them);
      // `error` is for a task that failed as a whole for another reason.
      message =
        typeof payload.failedCount === 'number'
          ? finishMessage(taskId, payload as FanOutFinishedEvent)
          : {
              type: 'error',
              taskId,
              completedCount: 0,
              totalCount: 0,
              latestImage: null,
              message: `任务处理异常: ${payload.error?.message ?? 'unknown'}`,
            };
    }
    if (!message) return;
    for (const socket of sockets) {
      send(socket, message);
      if (last) socket.close(1000, 'done');
    }
  };
  const unsubscribe = await core.events.subscribe(onEvent);

  const reject = (socket: Duplex, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  const scopeOf = async (request: IncomingMessage): Promise<NanobananaScope | null> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const header = request.headers.authorization ?? '';
    const token =
      url.searchParams.get('token') ?? (/^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '') : '');
    if (token) {
      const actor: Actor = await core.identity.authenticateToken(token);
      return actor.role === 'admin' ? { all: true } : { ownerKey: actor.id };
    }
    return core.config.NANOBANANA_ANONYMOUS ? { ownerKey: ANONYMOUS_WORKSPACE_USER_ID } : null;
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (request.url ?? '').split('?')[0] ?? '';
    const match = PATH.exec(pathname);
    if (!match) return; // not ours: socket.io (or nobody) handles it
    const taskId = match[1]!;
    void (async () => {
      let task: GenerationTaskDto;
      try {
        const scope = await scopeOf(request);
        if (!scope) return reject(socket, 401, 'Unauthorized');
        task = await core.nanobanana.tasks.getTask(scope, taskId);
      } catch (error) {
        if (isAppError(error) && error.status === 401) return reject(socket, 401, 'Unauthorized');
        if (isAppError(error) && error.status === 404) return reject(socket, 404, 'Not Found');
        core.logger.error(
          { err: error instanceof Error ? error.message : String(error) },
          'ws upgrade failed',
        );
        return reject(socket, 500, 'Internal Server Error');
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        if (open >= core.config.NANOBANANA_WS_MAX_CONNECTIONS) {
          ws.close(1013, 'Try Again Later');
          return;
        }
        open += 1;
        let sockets = watchers.get(taskId);
        if (!sockets) watchers.set(taskId, (sockets = new Set()));
        sockets.add(ws);
        ws.on('error', () => ws.terminate());
        ws.on('close', () => {
          open -= 1;
          sockets.delete(ws);
          if (sockets.size === 0) {
            watchers.delete(taskId);
            shownCount.delete(taskId);
          }
        });
        void snapshot(ws, taskId, task);
      });
    })();
  };

  /**
   * Subscribed first, then the current state: a task that settled before the socket opened is
   * reported at once instead of never. A fresher read closes the gap between the two.
   */
  const snapshot = async (ws: WebSocket, taskId: string, initial: GenerationTaskDto) => {
    let task = initial;
    try {
      task = await core.nanobanana.tasks.getTask({ all: true }, taskId);
    } catch {
      // deleted meanwhile: report what we had
    }
    if (task.status === 'processing') {
      send(ws, {
        type: 'progress',
        taskId,
        completedCount: task.completedCount,
        totalCount: task.totalCount,
        latestImage: null,
        message: `已完成 ${task.completedCount}/${task.totalCount}`,
      });
      return;
    }
    const failed = Math.max(0, task.totalCount - task.completedCount);
    send(ws, {
      type: 'complete',
      taskId,
      completedCount: task.completedCount,
      totalCount: task.totalCount,
      latestImage: null,
      message: `任务完成: 成功 ${task.totalCount - failed}, 失败 ${failed}`,
    });
    ws.close(1000, 'done');
  };

  httpServer.on('upgrade', onUpgrade);
  return {
    connections: () => open,
    async close() {
      httpServer.off('upgrade', onUpgrade);
      await unsubscribe();
      // 1001 Going Away tells clients to reconnect (through the load balancer, to another node);
      // a client that does not answer the closing handshake within a second is cut off.
      const closed = [...wss.clients].map(
        (client) => new Promise<void>((resolve) => client.once('close', () => resolve())),
      );
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      const cutOff = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, 1000);
      await Promise.all(closed);
      clearTimeout(cutOff);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
