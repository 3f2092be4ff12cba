import { io, type Socket } from 'socket.io-client';

/** JSON request helper that returns status and parsed body. */
export async function api<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: body as T, headers: response.headers };
}

export function botHeaders(
  botToken: string,
  platform: 'discord' | 'telegram',
  userId: string,
): Record<string, string> {
  return { authorization: `Bot ${botToken}`, 'x-platform': platform, 'x-platform-user-id': userId };
}

/** Connects a socket.io client and resolves once the handshake succeeded. */
export async function connectSocket(baseUrl: string, auth: Record<string, unknown>): Promise<Socket> {
  const socket = io(baseUrl, { auth, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return socket;
}

export async function subscribe(
  socket: Socket,
  room: string,
): Promise<{ ok: boolean; error?: { code: string; message: string } }> {
  return socket.timeout(5000).emitWithAck('subscribe', { room });
}
