import type { Server as HttpServer } from 'node:http';
import { Server as SocketServer, type Socket } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { ZodType } from 'zod';
import {
  AppError,
  BATCH_LIST_ROOM,
  TaskEvents,
  batchListRoomFor,
  isStaff,
  memberFacingFailure,
  type Actor,
  type Core,
} from '@dreamloom/core';
import { snowflakeId, storyId, uuidId } from '../http/ids.js';

interface SocketData {
  actor: Actor;
}

/**
 * socket.io: clients authenticate in the handshake (user token, or the bots' credential plus a
 * platform identity), then join rooms they are allowed to see. Domain events from Redis are
 * emitted to local sockets only (`io.local`): every node receives every event from Redis, so a
 * cluster-wide emit would deliver each event once per node.
 */
export async function attachSocketGateway(core: Core, httpServer: HttpServer) {
  const io = new SocketServer<
    Record<string, never>,
    Record<string, (payload: unknown) => void>,
    Record<string, never>,
    SocketData
  >(httpServer, { cors: { origin: true, credentials: true }, serveClient: false });
  const pubClient = core.redis.duplicate() as Redis;
  const subClient = core.redis.duplicate() as Redis;
  // ioredis reconnects by itself; without a listener every refused reconnect during a Redis
  // outage is an unhandled 'error' event printed with its stack.
  for (const client of [pubClient, subClient])
    client.on('error', (error: Error) =>
      core.logger.warn({ err: error.message }, 'redis (socket.io adapter) error'),
    );
  io.adapter(createAdapter(pubClient, subClient, { key: `${core.config.REDIS_PREFIX}:socket.io` }));

  io.use(async (socket, next) => {
    try {
      socket.data.actor = await authenticateSocket(core, socket.handshake.auth ?? {});
      next();
    } catch (error) {
      const appError =
        error instanceof AppError
          ? error
          : new AppError('UNAUTHORIZED', 'Authentication failed', { status: 401 });
      next(Object.assign(new Error(appError.message), { data: { code: appError.code } }));
    }
  });

  io.on('connection', (socket: Socket) => {
    socket.on('subscribe', async (request: unknown, ack?: (answer: unknown) => void) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      try {
        const asked = (request as { room?: unknown })?.room;
        if (typeof asked !== 'string')
          return reply({ ok: false, error: { code: 'VALIDATION_ERROR', message: 'room is required' } });
        const room = resolveRoom(socket.data.actor as Actor, asked);
        if (!(await canJoin(core, socket.data.actor as Actor, room))) {
          return reply({ ok: false, error: { code: 'FORBIDDEN', message: 'You cannot join this room' } });
        }
        await socket.join(room);
        reply({ ok: true });
      } catch (error) {
        core.logger.error({ err: error }, 'subscribe failed');
        reply({ ok: false, error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } });
      }
    });
    socket.on('unsubscribe', async (request: unknown, ack?: (answer: unknown) => void) => {
      const room = (request as { room?: unknown })?.room;
      if (typeof room === 'string') await socket.leave(resolveRoom(socket.data.actor as Actor, room));
      if (typeof ack === 'function') ack({ ok: true });
    });
  });

  const unsubscribe = await core.events.subscribe((event) => {
    io.local
      .to(event.room)
      .emit(event.name, event.name === TaskEvents.failed ? memberFacingFailed(event.payload) : event.payload);
  });

  return {
    io,
    async close() {
      await unsubscribe();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      pubClient.disconnect();
      subClient.disconnect();
    },
  };
}

async function authenticateSocket(core: Core, auth: Record<string, unknown>): Promise<Actor> {
  if (typeof auth.token === 'string') return core.identity.authenticateToken(auth.token);
  if (typeof auth.botToken === 'string') {
    return core.identity.actForPlatformUser(
      auth.botToken,
      String(auth.platform ?? ''),
      String(auth.platformUserId ?? ''),
      typeof auth.platformUsername === 'string' ? auth.platformUsername : undefined,
    );
  }
  throw new AppError('UNAUTHORIZED', 'Authentication required', { status: 401 });
}

/** Each room kind's id type: a malformed id is refused before any query (like an unknown room). */
const ROOM_IDS: Record<string, ZodType<string>> = { task: uuidId, conversation: storyId, batch: snowflakeId };

/**
 * The batch list's room is asked for by one name (`batches`) and joined as the part the actor may
 * see: an admin every batch (`batches`), other staff their own (`batches:<user id>`).
 */
function resolveRoom(actor: Actor, room: string): string {
  return room === BATCH_LIST_ROOM && isStaff(actor) ? batchListRoomFor(actor) : room;
}

/**
 * Room access: `task:<id>` for the task's owner (and staff), `conversation:<id>` for its
 * participants (and staff), `batch:<id>` for staff, the batch list rooms (`batches` for admins,
 * `batches:<id>` for that staff member). Unknown room kinds are refused.
 */
async function canJoin(core: Core, actor: Actor, room: string): Promise<boolean> {
  if (room === BATCH_LIST_ROOM || room.startsWith(`${BATCH_LIST_ROOM}:`))
    return isStaff(actor) && room === batchListRoomFor(actor);
  const separator = room.indexOf(':');
  const kind = room.slice(0, separator);
  const id = room.slice(separator + 1);
  if (separator < 0 || !ROOM_IDS[kind]?.safeParse(id).success) return false;
  if (kind === 'task') return core.generation.canView(actor, id);
  if (kind === 'conversation') return core.story.conversations.canView(actor, id);
  if (kind === 'batch')
    return core.jimeng.batches.findOwnBatch(actor, id).then(
      () => true,
      () => false,
    );
  return false;
}

/**
 * A task room is its member's: a failure goes out as the stable English code and message
 * (contracts 000/001), never the provider's own text, which the status route shows staff.
 */
function memberFacingFailed(payload: unknown): unknown {
  const error = (payload as { error?: { code?: string } } | null)?.error;
  if (!error) return payload;
  return { ...(payload as object), error: memberFacingFailure(error.code) };
}
