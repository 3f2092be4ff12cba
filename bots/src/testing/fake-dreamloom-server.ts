import { Server as SocketServer, type Socket } from 'socket.io';
import { listen, readBody, sendJson } from './http.js';
import { solidPng } from './png.js';

export interface RecordedApiRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  body?: unknown;
}

export interface FakeStatus {
  uuid: string;
  status: 'pending' | 'processing' | 'completed' | 'failed';
  results: Array<{ image_url: string }>;
  error_message: string | null;
  credits_used: number;
}

/**
 * A stand-in for the Dreamloom server's bot-facing surface (create-task, status, media and
 * the socket.io task rooms), speaking the documented wire format, for client tests.
 */
export interface FakeDreamloomServer {
  url: string;
  botToken: string;
  requests: RecordedApiRequest[];
  /** Handshake auth of every socket that connected. */
  handshakes: Array<Record<string, unknown>>;
  /** Rooms each subscribe request asked for, with the answer given. */
  subscriptions: Array<{ room: string; ok: boolean }>;
  /** Rooms left with `unsubscribe`. */
  unsubscriptions: string[];
  statuses: Map<string, FakeStatus>;
  /** Answer create-task with this error envelope instead of creating a task. */
  rejectCreate?: { status: number; code: string; message: string };
  /** Emits an event to a task's room. */
  publish(taskId: string, event: 'task.progress' | 'task.completed' | 'task.failed', payload: unknown): void;
  /** Sockets connected right now. */
  connectedSockets(): number;
  /** Drops every connected socket, as a server restart would. */
  dropSockets(): void;
  mediaUrl(name: string): string;
  close(): Promise<void>;
}

export async function startFakeDreamloomServer(
  options: { botToken?: string } = {},
): Promise<FakeDreamloomServer> {
  const botToken = options.botToken ?? 'test-bot-token';
  const requests: RecordedApiRequest[] = [];
  const handshakes: Array<Record<string, unknown>> = [];
  const subscriptions: Array<{ room: string; ok: boolean }> = [];
  const unsubscriptions: string[] = [];
  const statuses = new Map<string, FakeStatus>();
  const owners = new Map<string, string>();
  let counter = 0;
  const control: { rejectCreate?: FakeDreamloomServer['rejectCreate'] } = {};

  const http = await listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/socket.io')) return; // socket.io answers these itself
    const raw = await readBody(req);
    const body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
    );
    requests.push({ method: req.method ?? 'GET', path: url.pathname, headers, body });

    if (url.pathname.startsWith('/media/')) {
      const png = solidPng(3, 3);
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
      res.end(png);
      return;
    }
    if (headers.authorization !== `Bot ${botToken}` || !headers['x-platform-user-id']) {
      return sendJson(res, 401, {
        success: false,
        error: { code: 'UNAUTHORIZED', message: 'Bad bot credential' },
      });
    }
    const owner = `${headers['x-platform']}:${headers['x-platform-user-id']}`;
    if (req.method === 'POST' && url.pathname === '/api/anime-generation/create-task') {
      if (control.rejectCreate) {
        const { status, code, message } = control.rejectCreate;
        return sendJson(res, status, { success: false, error: { code, message } });
      }
      const uuid = `11111111-2222-4333-8444-${String(++counter).padStart(12, '0')}`;
      statuses.set(uuid, { uuid, status: 'pending', results: [], error_message: null, credits_used: 0 });
      owners.set(uuid, owner);
      return sendJson(res, 200, { success: true, data: { generation_uuid: uuid, status: 'pending' } });
    }
    const statusMatch = /^\/api\/generation\/status\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && statusMatch) {
      const status = statuses.get(statusMatch[1]);
      if (!status || owners.get(status.uuid) !== owner) {
        return sendJson(res, 404, {
          success: false,
          error: { code: 'NOT_FOUND', message: 'Task not found' },
        });
      }
      return sendJson(res, 200, status);
    }
    sendJson(res, 404, { success: false, error: { code: 'NOT_FOUND', message: 'No such route' } });
  });

  const io = new SocketServer(http.server);
  io.use((socket, next) => {
    const auth = socket.handshake.auth as Record<string, unknown>;
    handshakes.push(auth);
    if (auth.botToken !== botToken) return next(new Error('unauthorized'));
    next();
  });
  io.on('connection', (socket: Socket) => {
    const auth = socket.handshake.auth as Record<string, string>;
    const owner = `${auth.platform}:${auth.platformUserId}`;
    socket.on('subscribe', (msg: { room?: string }, ack?: (answer: unknown) => void) => {
      const room = msg?.room ?? '';
      const taskId = room.startsWith('task:') ? room.slice(5) : '';
      const ok = owners.get(taskId) === owner;
      subscriptions.push({ room, ok });
      if (ok) void socket.join(room);
      ack?.(ok ? { ok: true } : { ok: false, error: { code: 'FORBIDDEN', message: 'Not your task' } });
    });
    socket.on('unsubscribe', (msg: { room?: string }, ack?: (answer: unknown) => void) => {
      unsubscriptions.push(msg?.room ?? '');
      void socket.leave(msg?.room ?? '');
      ack?.({ ok: true });
    });
  });

  return {
    url: http.url,
    botToken,
    requests,
    handshakes,
    subscriptions,
    unsubscriptions,
    statuses,
    get rejectCreate() {
      return control.rejectCreate;
    },
    set rejectCreate(answer) {
      control.rejectCreate = answer;
    },
    publish: (taskId, event, payload) => void io.to(`task:${taskId}`).emit(event, payload),
    connectedSockets: () => io.of('/').sockets.size,
    dropSockets: () => void io.disconnectSockets(true),
    mediaUrl: (name) => `${http.url}/media/${name}`,
    close: async () => {
      await io.close();
      await http.close().catch(() => undefined);
    },
  };
}
