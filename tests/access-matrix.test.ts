import sharp from 'sharp';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, botHeaders, connectSocket, subscribe } from './support/clients.js';
import { startSystem, type RunningSystem } from './support/system.js';
import { walletLogin } from './support/story.js';
import { waitForEnd } from './support/anime.js';
import { createStaff, addAccounts, storyboards, waitForBatch } from './support/jimeng.js';
import { createBatch } from './support/nanobanana/helpers.js';
import { makeWav } from './support/wav.js';

/**
 * Object-level access of every owned resource outside contract 002's story rules (those are in
 * story-access-matrix.test.ts): anime generations (000/001), their outputs and story uploads used
 * as references, NanoBanana tasks and images (004, NANOBANANA_ANONYMOUS=false), Jimeng batches,
 * records and accounts (003) and credits. Every kind of caller × every action, with the expected
 * answer written out below, on both databases; after every refused call (and every call expected
 * to do nothing) the resource's stored state and the callers' tasks and ledgers are compared with
 * what they were before: nothing changed, nothing charged.
 *
 * Callers: `owner` made the resources (a wallet member; for 003 a staff member, since members
 * have no Jimeng studio); `other` is another wallet member; `bot` is another member acting through
 * the bot credential (telegram); `anon` sends no credential; `staff` is a staff member who is not
 * an admin; `admin` is the first admin. Every member caller holds credits, so a refusal is never
 * for want of them. Statuses are HTTP statuses; for socket.io rooms and the raw WebSocket, 200 is
 * "joined" / upgraded, 403 "refused", 401 "handshake refused" and 404 the WebSocket's "no such task".
 */
type Caller = 'owner' | 'other' | 'bot' | 'anon' | 'staff' | 'admin';
type Verb = 'read' | 'use' | 'change' | 'delete' | 'subscribe';
type Kind = 'anime' | 'inflight' | 'upload' | 'nanobanana' | 'jimeng';

/** Refused callers go first: their cells share one world; the owner comes last. */
const CALLERS: Caller[] = ['other', 'bot', 'anon', 'staff', 'admin', 'owner'];
const SECRET = 'SECRET-PROMPT-LANTERN';
const STAFF_PASSWORD_USER = () => `matrix-staff-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

interface Cell {
  status: number;
  body: any;
}

interface World {
  /** A private completed image generation of the owner (its first output's media id and URL). */
  privateTask: string;
  privateMedia: string;
  privateUrl: string;
  /** A public completed image generation of the owner. */
  publicTask: string;
  publicMedia: string;
  publicUrl: string;
  /** The owner's video still in flight (inflight worlds only). */
  video: string;
  /** The owner's story upload. */
  uploadId: string;
  uploadUrl: string;
  uploadFilename: string;
  /** The owner's completed NanoBanana task and its image. */
  nbTask: string;
  nbImage: string;
  /** A batch of the owner (staff) with its record, and an account the owner added. */
  batch: string;
  workId: string;
  record: string;
  account: string;
}

interface Row {
  resource: string;
  verb: Verb;
  action: string;
  kind: Kind;
  expected: Record<Caller, number>;
  /** Callers answered 2xx that must nevertheless change nothing (a filter over what they may see). */
  noEffect?: Caller[];
  run(world: World, caller: Caller): Promise<Cell>;
  /** The stored state a refused call must leave unchanged. */
  state(world: World): Promise<unknown>;
  check?(cell: Cell, caller: Caller, world: World): void;
}

const row = (
  resource: string,
  verb: Verb,
  kind: Kind,
  action: string,
  [owner, other, bot, anon, staff, admin]: [number, number, number, number, number, number],
  rest: Pick<Row, 'run' | 'state' | 'check' | 'noEffect'>,
): Row => ({ resource, verb, kind, action, expected: { owner, other, bot, anon, staff, admin }, ...rest });

describe.each(['sqlite', 'mariadb'] as const)(
  'access matrix (000/001/003/004, uploads, credits) on %s',
  (db) => {
    let system: RunningSystem;
    const tokens: Partial<Record<Caller, string>> = {};
    const users: Partial<Record<Caller, string>> = {};
    /** The owner of 003 resources: a staff member. */
    let jimengOwner: string;
    let jimengOwnerId: string;
    const botUser = `8${Date.now()}`.slice(0, 12);

    beforeAll(async () => {
      system = await startSystem({
        db,
        env: {
          NANOBANANA_ANONYMOUS: 'false',
          // Contract 004's per-address rate limit is not what this test is about.
          NANOBANANA_RATE_BURST: '100000',
          NANOBANANA_RATE_PER_SEC: '100000',
          WORKER_CONCURRENCY: '8',
          ANIME_MAX_JOBS_IN_FLIGHT: '0',
        },
      });
      tokens.owner = (await walletLogin(system)).token;
      tokens.other = (await walletLogin(system)).token;
      tokens.staff = await createStaff(system, STAFF_PASSWORD_USER());
      tokens.admin = system.admin.token;
      jimengOwner = await createStaff(system, STAFF_PASSWORD_USER());
      for (const caller of ['owner', 'other', 'bot', 'staff', 'admin'] as const) {
        const view = await api(system.baseUrl, 'GET', '/api/generation/credits', {
          headers: headersOf(caller),
        });
        expect(view.status).toBe(200);
        users[caller] = view.body.data.user_id;
        const granted = await api(system.baseUrl, 'POST', '/api/generation/credits/grant', {
          token: system.admin.token,
          body: { user_id: users[caller], amount: 5000 },
        });
        expect(granted.status).toBe(200);
      }
      jimengOwnerId = (await api(system.baseUrl, 'GET', '/api/generation/credits', { token: jimengOwner }))
        .body.data.user_id;
    }, 60_000);
    afterAll(async () => {
      await system?.stop();
    });

    const models = () => system.core.models;
    const jimengModels = () => system.core.jimeng.models;

    function headersOf(caller: Caller, owner = tokens.owner): Record<string, string> {
      if (caller === 'anon') return {};
      if (caller === 'bot') return botHeaders(system.botToken, 'telegram', botUser);
      return { authorization: `Bearer ${caller === 'owner' ? owner : tokens[caller]}` };
    }

    async function call(caller: Caller, method: string, path: string, body?: unknown, owner?: string) {
      const response = await api(system.baseUrl, method, path, { headers: headersOf(caller, owner), body });
      return { status: response.status, body: response.body };
    }

    /** A GET of a file: the status, and the bytes' length as the body. */
    async function file(caller: Caller, path: string) {
      const response = await fetch(path.startsWith('http') ? path : `${system.baseUrl}${path}`, {
        headers: headersOf(caller),
      });
      const bytes = Buffer.from(await response.arrayBuffer());
      return {
        status: response.status,
        body: response.ok ? { bytes: bytes.length } : bytes.toString('utf8').slice(0, 300),
      };
    }

    async function room(caller: Caller, name: string, owner = tokens.owner) {
      const auth =
        caller === 'anon'
          ? {}
          : caller === 'bot'
            ? { botToken: system.botToken, platform: 'telegram', platformUserId: botUser }
            : { token: caller === 'owner' ? owner : tokens[caller] };
      const socket = await connectSocket(system.baseUrl, auth).catch(() => null);
      if (!socket) return { status: 401, body: null };
      try {
        const answer = await subscribe(socket, name);
        return { status: answer.ok ? 200 : 403, body: answer };
      } finally {
        socket.disconnect();
      }
    }

    /** Contract 004's raw WebSocket: 200 when upgraded (and its first message), else the HTTP status. */
    async function rawSocket(caller: Caller, taskId: string): Promise<Cell> {
      const ws = new WebSocket(`${system.baseUrl.replace(/^http/, 'ws')}/api/v1/ws/generate/${taskId}`, {
        headers: headersOf(caller),
      });
      ws.on('error', () => undefined);
      try {
        return await new Promise<Cell>((resolve) => {
          ws.once('unexpected-response', (_request, response) =>
            resolve({ status: response.statusCode ?? 0, body: null }),
          );
          ws.once('message', (data) => resolve({ status: 200, body: JSON.parse(String(data)) }));
        });
      } finally {
        ws.terminate();
      }
    }

    async function finishedImage(visibility: 'public' | 'private') {
      const created = await call('owner', 'POST', '/api/anime-generation/create-task', {
        gen_type: 'anime',
        prompt: `${SECRET} ${visibility}`,
        aspect_ratio: '1:1',
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const id = created.body.data.generation_uuid as string;
      expect((await waitForEnd(system, id, headersOf('owner'))).status).toBe('completed');
      // Members choose `private` with the pro plan; the row is what every access rule reads.
      if (visibility === 'private') await models().GenerationTask.update({ visibility }, { where: { id } });
      const asset = await models().MediaAsset.findOne({ where: { task_id: id, position: 0 } });
      return { id, media: asset!.id, url: `${system.baseUrl}/media/${asset!.storage_key}` };
    }

    async function upload(caller: Caller) {
      const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#aa3366' } })
        .png()
        .toBuffer();
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'mine.png');
      const answer = await fetch(`${system.baseUrl}/api/v1/images/upload`, {
        method: 'POST',
        headers: headersOf(caller),
        body: form,
      });
      expect(answer.status).toBe(200);
      const body = (await answer.json()) as { url: string; filename: string };
      const asset = await models().MediaAsset.findOne({ where: { storage_key: `uploads/${body.filename}` } });
      return { id: asset!.id, url: body.url, filename: body.filename };
    }

    /** A staff music upload (multipart), as `caller`. */
    async function musicUpload(caller: Caller, owner?: string) {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(makeWav(0.1))]), 'track.wav');
      const answer = await fetch(`${system.baseUrl}/api/v1/story-admin/music/upload`, {
        method: 'POST',
        headers: headersOf(caller, owner),
        body: form,
      });
      return { status: answer.status, body: await answer.json() };
    }

    const worlds = new Map<Kind, World>();
    async function worldOf(kind: Kind): Promise<World> {
      const cached = worlds.get(kind);
      if (cached) return cached;
      const w = {} as World;
      if (kind === 'anime') {
        const [privateOne, publicOne] = await Promise.all([
          finishedImage('private'),
          finishedImage('public'),
        ]);
        Object.assign(w, {
          privateTask: privateOne.id,
          privateMedia: privateOne.media,
          privateUrl: privateOne.url,
          publicTask: publicOne.id,
          publicMedia: publicOne.media,
          publicUrl: publicOne.url,
        });
      } else if (kind === 'inflight') {
        system.sandbox.state.setLatency(20_000);
        const created = await call('owner', 'POST', '/api/anime-video/create-task', {
          prompt: `${SECRET} video`,
          model_id: 'kling/video-v2.5',
          duration_seconds: 5,
        });
        expect(created.status, JSON.stringify(created.body)).toBe(200);
        w.video = created.body.data.generation_uuid;
        // Wait until the worker holds it, so that only a cancel moves its status.
        for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
          const task = await models().GenerationTask.findByPk(w.video, { attributes: ['status'] });
          if (task?.status === 'processing') break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } else if (kind === 'upload') {
        const mine = await upload('owner');
        Object.assign(w, { uploadId: mine.id, uploadUrl: mine.url, uploadFilename: mine.filename });
      } else if (kind === 'nanobanana') {
        const created = await createBatch(
          system.baseUrl,
          { prompt: `${SECRET} 灯笼`, count: 1 },
          headersOf('owner'),
        );
        expect(created.status, JSON.stringify(created.body)).toBe(200);
        let task: any;
        for (const deadline = Date.now() + 20_000; ;) {
          task = (await call('owner', 'GET', `/api/v1/generate/status/${created.body.data.id}`)).body.data;
          if (task.status !== 'processing' || Date.now() > deadline) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(task.images).toHaveLength(1);
        Object.assign(w, { nbTask: task.id, nbImage: task.images[0].id });
      } else {
        const [account] = await addAccounts(system, jimengOwner, 1, `matrix${Date.now()}`);
        const submitted = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
          token: jimengOwner,
          body: { work_id: (w.workId = `matrix-${Date.now()}`), batch_data: storyboards(1, 'acl') },
        });
        expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
        w.batch = submitted.body.data.batch_id;
        await waitForBatch(system, jimengOwner, w.batch);
        const record = await jimengModels().JimengRecord.findOne({ where: { batch_id: w.batch } });
        w.record = record!.id;
        const stored = await models().ProviderAccount.findOne({ where: { create_by: jimengOwnerId } });
        expect(stored).not.toBeNull();
        w.account = stored!.id;
        expect(account).toBeTruthy();
      }
      worlds.set(kind, w);
      return w;
    }

    // ---- stored state that refused calls must leave alone ------------------------------------
    /** Tasks and ledger entries of every caller but the owner: a refused call charges and starts nothing. */
    const callersSpend = async () => {
      const ids = (['other', 'bot', 'staff', 'admin'] as const).map((caller) => users[caller]!);
      return {
        tasks: await models().GenerationTask.count({ where: { user_id: ids } }),
        ledger: await system.core.anime.credits
          .balance(users.other!)
          .then(async (other) => [
            other,
            await system.core.anime.credits.balance(users.bot!),
            await system.core.anime.credits.balance(users.staff!),
            await system.core.anime.credits.balance(users.admin!),
          ]),
      };
    };
    const taskState = async (id: string) => ({
      task: await models().GenerationTask.findByPk(id, {
        attributes: ['id', 'status', 'visibility', 'credits_used', 'user_id'],
        raw: true,
      }),
      media: await models().MediaAsset.count({ where: { task_id: id } }),
      spend: await callersSpend(),
    });
    const mediaState = async (id: string) => ({
      media: await models().MediaAsset.findByPk(id, {
        attributes: ['id', 'user_id', 'storage_key'],
        raw: true,
      }),
      spend: await callersSpend(),
    });
    const batchState = async (w: World) => ({
      batch: await jimengModels().JimengBatch.findByPk(w.batch, { raw: true }),
      records: await jimengModels().JimengRecord.findAll({
        where: { batch_id: w.batch },
        attributes: ['id', 'generation_status', 'is_deleted'],
        raw: true,
      }),
    });
    const accountState = async (w: World) =>
      models().ProviderAccount.findByPk(w.account, {
        attributes: ['id', 'is_deleted', 'priority', 'create_by'],
        raw: true,
      });

    /** A refusal must not carry the owner's prompt. */
    const noSecret = (cell: Cell) => expect(JSON.stringify(cell.body ?? null)).not.toContain(SECRET);
    const reference = (caller: Caller, url: string) =>
      call(caller, 'POST', '/api/anime-generation/create-task', {
        gen_type: 'anime',
        prompt: 'my own picture',
        reference_image_urls: [url],
      });

    // ---- the expected outcomes: [owner, other, bot, anon, staff, admin] ---------------------------
    const MATRIX: Row[] = [
      // ---- anime generations (000/001) ----
      row(
        'private generation',
        'read',
        'anime',
        'GET /api/generation/status/{uuid}',
        [200, 404, 404, 401, 200, 200],
        {
          run: (w, c) => call(c, 'GET', `/api/generation/status/${w.privateTask}`),
          state: (w) => taskState(w.privateTask),
          check: (cell, caller) => {
            if (cell.status !== 200) noSecret(cell);
            // Job-card actions are offered to the owner only.
            if (cell.status === 200)
              expect(cell.body.actions ?? []).toEqual(caller === 'owner' ? expect.any(Array) : []);
          },
        },
      ),
      row(
        'private generation',
        'read',
        'anime',
        "in GET /api/anime-generation/history (one's own list)",
        [200, 200, 200, 401, 200, 200],
        {
          run: (w, c) => call(c, 'GET', '/api/anime-generation/history?limit=100'),
          state: (w) => taskState(w.privateTask),
          check: (cell, caller, w) => {
            if (cell.status !== 200) return;
            const ids = cell.body.data.records.map((record: any) => record.generation_uuid);
            expect(ids.includes(w.privateTask), caller).toBe(caller === 'owner');
            if (caller !== 'owner') noSecret(cell);
          },
        },
      ),
      row(
        'private generation',
        'read',
        'anime',
        'output file by URL /media/tasks/{uuid}/… (unguessable key)',
        [200, 200, 200, 200, 200, 200],
        {
          run: (w, c) => file(c, w.privateUrl),
          state: (w) => taskState(w.privateTask),
        },
      ),
      row(
        'private generation',
        'read',
        'anime',
        'output by media id GET /api/v1/images/{id}',
        [200, 404, 404, 404, 200, 200],
        {
          run: (w, c) => file(c, `/api/v1/images/${w.privateMedia}`),
          state: (w) => mediaState(w.privateMedia),
        },
      ),
      row(
        'private generation',
        'use',
        'anime',
        'POST /api/generation/reroll/{uuid}',
        [200, 404, 404, 401, 404, 404],
        {
          run: (w, c) => call(c, 'POST', `/api/generation/reroll/${w.privateTask}`),
          state: (w) => taskState(w.privateTask),
          check: (cell) => cell.status >= 400 && noSecret(cell),
        },
      ),
      row(
        'private generation',
        'use',
        'anime',
        'POST /api/anime-generation/variation/{uuid}',
        [200, 404, 404, 401, 404, 404],
        {
          run: (w, c) =>
            call(c, 'POST', `/api/anime-generation/variation/${w.privateTask}`, { image_index: 0 }),
          state: (w) => taskState(w.privateTask),
        },
      ),
      row(
        'private generation',
        'use',
        'anime',
        'POST /api/anime-generation/upscale/{uuid}',
        [200, 404, 404, 401, 404, 404],
        {
          run: (w, c) =>
            call(c, 'POST', `/api/anime-generation/upscale/${w.privateTask}`, { image_index: 0 }),
          state: (w) => taskState(w.privateTask),
        },
      ),
      row(
        'private generation',
        'use',
        'anime',
        'create-task reusing it (gen_image_id = uuid)',
        [200, 404, 404, 401, 404, 404],
        {
          run: (w, c) =>
            call(c, 'POST', '/api/anime-generation/create-task', {
              gen_image_id: w.privateTask,
              prompt: 'again',
            }),
          state: (w) => taskState(w.privateTask),
        },
      ),
      row(
        'private generation',
        'use',
        'anime',
        'create-task reusing it (gen_image_id = media id)',
        [200, 404, 404, 401, 404, 404],
        {
          run: (w, c) =>
            call(c, 'POST', '/api/anime-generation/create-task', {
              gen_image_id: w.privateMedia,
              prompt: 'again',
            }),
          state: (w) => taskState(w.privateTask),
        },
      ),
      row(
        'private generation',
        'use',
        'anime',
        'its output URL as a reference image (create-task)',
        [200, 400, 400, 401, 200, 200],
        {
          run: (w, c) => reference(c, w.privateUrl),
          state: (w) => taskState(w.privateTask),
        },
      ),
      row(
        'private generation',
        'use',
        'anime',
        'its media id as a reference image (create-task)',
        [200, 400, 400, 401, 200, 200],
        {
          run: (w, c) => reference(c, w.privateMedia),
          state: (w) => taskState(w.privateTask),
        },
      ),
      row(
        'private generation',
        'use',
        'anime',
        '/api/v1/images/{media id} as a video reference (anime-video create-task)',
        [200, 400, 400, 401, 200, 200],
        {
          run: (w, c) =>
            call(c, 'POST', '/api/anime-video/create-task', {
              prompt: 'it moves',
              model_id: 'kling/video-v2.5',
              duration_seconds: 5,
              reference_image_url: `${system.baseUrl}/api/v1/images/${w.privateMedia}`,
            }),
          state: (w) => taskState(w.privateTask),
        },
      ),
      row(
        'public generation',
        'use',
        'anime',
        'its output URL / media id as a reference image',
        [200, 200, 200, 401, 200, 200],
        {
          run: async (w, c) => {
            const byUrl = await reference(c, w.publicUrl);
            if (byUrl.status !== 200) return byUrl;
            return reference(c, w.publicMedia);
          },
          state: (w) => taskState(w.publicTask),
        },
      ),
      row(
        'public generation',
        'use',
        'anime',
        'POST /api/generation/reroll/{uuid} (public is no licence)',
        [200, 404, 404, 401, 404, 404],
        {
          run: (w, c) => call(c, 'POST', `/api/generation/reroll/${w.publicTask}`),
          state: (w) => taskState(w.publicTask),
        },
      ),
      row(
        'private generation',
        'subscribe',
        'anime',
        'socket.io room task:{uuid}',
        [200, 403, 403, 401, 200, 200],
        {
          run: (w, c) => room(c, `task:${w.privateTask}`),
          state: (w) => taskState(w.privateTask),
        },
      ),
      row(
        'private generation',
        'delete',
        'anime',
        'no delete route: DELETE /api/generation/{uuid}',
        [404, 404, 404, 404, 404, 404],
        {
          run: (w, c) => call(c, 'DELETE', `/api/generation/${w.privateTask}`),
          state: (w) => taskState(w.privateTask),
        },
      ),
      row(
        'video in flight',
        'change',
        'inflight',
        'POST /api/generation/cancel/{uuid}',
        [200, 404, 404, 401, 404, 404],
        {
          run: (w, c) => call(c, 'POST', `/api/generation/cancel/${w.video}`),
          state: (w) => taskState(w.video),
        },
      ),

      // ---- credits (000/001) ----
      row(
        "owner's credits",
        'read',
        'anime',
        'GET /api/generation/credits?user_id={owner}',
        [200, 404, 404, 401, 200, 200],
        {
          run: (w, c) => call(c, 'GET', `/api/generation/credits?user_id=${users.owner}&limit=200`),
          state: async () => system.core.anime.credits.balance(users.owner!),
          check: (cell) => {
            if (cell.status === 200) expect(cell.body.data.user_id).toBe(users.owner);
          },
        },
      ),
      row(
        'own credits',
        'read',
        'anime',
        'GET /api/generation/credits (no user_id: only their own)',
        [200, 200, 200, 401, 200, 200],
        {
          run: (w, c) => call(c, 'GET', '/api/generation/credits?limit=200'),
          state: async () => system.core.anime.credits.balance(users.owner!),
          check: (cell, caller) => {
            if (cell.status === 200) expect(cell.body.data.user_id).toBe(users[caller]);
          },
        },
      ),

      // ---- story uploads (002 images/upload) ----
      row(
        'story upload',
        'read',
        'upload',
        'GET /api/v1/images/{filename} (its URL; random uuid name)',
        [200, 200, 200, 200, 200, 200],
        {
          run: (w, c) => file(c, `/api/v1/images/${w.uploadFilename}`),
          state: (w) => mediaState(w.uploadId),
        },
      ),
      row('story upload', 'read', 'upload', 'GET /api/v1/images/{media id}', [200, 404, 404, 404, 200, 200], {
        run: (w, c) => file(c, `/api/v1/images/${w.uploadId}`),
        state: (w) => mediaState(w.uploadId),
      }),
      row(
        'story upload',
        'use',
        'upload',
        'its URL as a reference image (create-task)',
        [200, 400, 400, 401, 200, 200],
        {
          run: (w, c) => reference(c, w.uploadUrl),
          state: (w) => mediaState(w.uploadId),
        },
      ),
      row(
        'story upload',
        'use',
        'upload',
        'its media id as a reference image (create-task)',
        [200, 400, 400, 401, 200, 200],
        {
          run: (w, c) => reference(c, w.uploadId),
          state: (w) => mediaState(w.uploadId),
        },
      ),

      // ---- NanoBanana tasks and images (004, NANOBANANA_ANONYMOUS=false) ----
      row(
        'NanoBanana task',
        'read',
        'nanobanana',
        'GET /api/v1/generate/status/{taskId}',
        [200, 404, 404, 401, 404, 200],
        {
          run: (w, c) => call(c, 'GET', `/api/v1/generate/status/${w.nbTask}`),
          state: (w) => taskState(w.nbTask),
          check: (cell) => cell.status !== 200 && noSecret(cell),
        },
      ),
      row(
        'NanoBanana task',
        'read',
        'nanobanana',
        'GET /api/v1/history/{id}',
        [200, 404, 404, 401, 404, 200],
        {
          run: (w, c) => call(c, 'GET', `/api/v1/history/${w.nbTask}`),
          state: (w) => taskState(w.nbTask),
        },
      ),
      row(
        'NanoBanana task',
        'read',
        'nanobanana',
        'in GET /api/v1/history and /history/search',
        [200, 200, 200, 401, 200, 200],
        {
          run: async (w, c) => {
            const list = await call(c, 'GET', '/api/v1/history?pageSize=100');
            if (list.status !== 200) return list;
            const search = await call(
              c,
              'GET',
              `/api/v1/history/search?keyword=${encodeURIComponent('灯笼')}`,
            );
            return { status: search.status, body: { list: list.body.data, search: search.body.data } };
          },
          state: (w) => taskState(w.nbTask),
          check: (cell, caller, w) => {
            if (cell.status !== 200) return;
            const sees = caller === 'owner' || caller === 'admin';
            expect(JSON.stringify(cell.body.list).includes(w.nbTask), `${caller} history`).toBe(sees);
            expect(JSON.stringify(cell.body.search).includes(w.nbTask), `${caller} search`).toBe(sees);
          },
        },
      ),
      row(
        'NanoBanana task',
        'read',
        'nanobanana',
        'GET /api/generation/status/{taskId} (the generic status)',
        [200, 404, 404, 401, 404, 200],
        {
          run: (w, c) => call(c, 'GET', `/api/generation/status/${w.nbTask}`),
          state: (w) => taskState(w.nbTask),
        },
      ),
      row(
        'NanoBanana image',
        'read',
        'nanobanana',
        'GET /api/v1/images/{id}',
        [200, 404, 404, 401, 404, 200],
        {
          run: (w, c) => file(c, `/api/v1/images/${w.nbImage}`),
          state: (w) => mediaState(w.nbImage),
        },
      ),
      row(
        'NanoBanana image',
        'read',
        'nanobanana',
        'GET /api/v1/images/{id}/download',
        [200, 404, 404, 401, 404, 200],
        {
          run: (w, c) => file(c, `/api/v1/images/${w.nbImage}/download`),
          state: (w) => mediaState(w.nbImage),
        },
      ),
      row(
        'NanoBanana image',
        'read',
        'nanobanana',
        'POST /api/v1/images/export (ZIP)',
        [200, 404, 404, 401, 404, 200],
        {
          run: async (w, c) => {
            const response = await fetch(`${system.baseUrl}/api/v1/images/export`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...headersOf(c) },
              body: JSON.stringify({ imageIds: [w.nbImage] }),
            });
            const text = Buffer.from(await response.arrayBuffer());
            return { status: response.status, body: response.ok ? { bytes: text.length } : text.toString() };
          },
          state: (w) => mediaState(w.nbImage),
        },
      ),
      row(
        'NanoBanana image',
        'use',
        'nanobanana',
        'its media id as an anime reference image',
        [200, 400, 400, 401, 400, 200],
        {
          run: (w, c) => reference(c, w.nbImage),
          state: (w) => mediaState(w.nbImage),
        },
      ),
      row(
        'NanoBanana task',
        'subscribe',
        'nanobanana',
        'WebSocket /api/v1/ws/generate/{taskId}',
        [200, 404, 401, 401, 404, 200],
        {
          run: (w, c) => rawSocket(c, w.nbTask),
          state: (w) => taskState(w.nbTask),
        },
      ),
      row(
        'NanoBanana task',
        'subscribe',
        'nanobanana',
        'socket.io room task:{taskId}',
        [200, 403, 403, 401, 403, 200],
        {
          run: (w, c) => room(c, `task:${w.nbTask}`),
          state: (w) => taskState(w.nbTask),
        },
      ),
      row(
        'NanoBanana image',
        'delete',
        'nanobanana',
        'DELETE /api/v1/images/{id}',
        [200, 404, 404, 401, 404, 200],
        {
          run: (w, c) => call(c, 'DELETE', `/api/v1/images/${w.nbImage}`),
          state: (w) => taskState(w.nbTask),
        },
      ),
      row(
        'NanoBanana task',
        'delete',
        'nanobanana',
        'DELETE /api/v1/history/{id}',
        [200, 404, 404, 401, 404, 200],
        {
          run: (w, c) => call(c, 'DELETE', `/api/v1/history/${w.nbTask}`),
          state: (w) => taskState(w.nbTask),
        },
      ),
      row(
        'NanoBanana task',
        'delete',
        'nanobanana',
        'DELETE /api/v1/history/batch (others: nothing in scope)',
        [200, 200, 200, 401, 200, 200],
        {
          noEffect: ['other', 'bot', 'staff'],
          run: (w, c) => call(c, 'DELETE', '/api/v1/history/batch', { ids: [w.nbTask] }),
          state: (w) => taskState(w.nbTask),
        },
      ),

      // ---- Jimeng (003): owner = a staff member; `staff` = another staff member ----
      row(
        'Jimeng batch',
        'read',
        'jimeng',
        'GET /api/v1/jimeng/batch/{id}/status',
        [200, 403, 403, 401, 404, 200],
        {
          run: (w, c) => call(c, 'GET', `/api/v1/jimeng/batch/${w.batch}/status`, undefined, jimengOwner),
          state: batchState,
        },
      ),
      row(
        'Jimeng batch',
        'read',
        'jimeng',
        'in GET /api/v1/jimeng/batch/list',
        [200, 403, 403, 401, 200, 200],
        {
          run: (w, c) => call(c, 'GET', '/api/v1/jimeng/batch/list?page=1&size=100', undefined, jimengOwner),
          state: batchState,
          check: (cell, caller, w) => {
            if (cell.status === 200)
              expect(JSON.stringify(cell.body.data).includes(w.batch), caller).toBe(caller !== 'staff');
          },
        },
      ),
      row(
        'Jimeng record',
        'read',
        'jimeng',
        'GET /api/v1/jimeng/records/detail',
        [200, 403, 403, 401, 404, 200],
        {
          run: (w, c) =>
            call(c, 'GET', `/api/v1/jimeng/records/detail?type=image&id=${w.record}`, undefined, jimengOwner),
          state: batchState,
        },
      ),
      row(
        'Jimeng batch',
        'subscribe',
        'jimeng',
        'socket.io room batch:{id}',
        [200, 403, 403, 401, 403, 200],
        {
          run: (w, c) => room(c, `batch:${w.batch}`, jimengOwner),
          state: batchState,
        },
      ),
      row(
        'Jimeng batch',
        'change',
        'jimeng',
        'POST /api/v1/jimeng/batch/{id}/retry (force)',
        [200, 403, 403, 401, 404, 200],
        {
          run: (w, c) =>
            call(c, 'POST', `/api/v1/jimeng/batch/${w.batch}/retry`, { force_regenerate: true }, jimengOwner),
          state: batchState,
        },
      ),
      row(
        'Jimeng batch',
        'change',
        'jimeng',
        'POST /api/v1/jimeng/batch/{id}/cancel',
        [200, 403, 403, 401, 404, 200],
        {
          run: (w, c) => call(c, 'POST', `/api/v1/jimeng/batch/${w.batch}/cancel`, {}, jimengOwner),
          state: batchState,
        },
      ),
      row(
        'Jimeng record',
        'change',
        'jimeng',
        'POST /api/v1/jimeng/image/regenerate (own storyboards only, admins too)',
        [200, 403, 403, 401, 404, 404],
        {
          run: (w, c) =>
            call(
              c,
              'POST',
              '/api/v1/jimeng/image/regenerate',
              { work_id: w.workId, storyboard_id: 'acl-0001' },
              jimengOwner,
            ),
          state: batchState,
        },
      ),
      row(
        'Jimeng account',
        'change',
        'jimeng',
        'POST /api/v1/jimeng/accounts/reset-status',
        [200, 403, 403, 401, 404, 200],
        {
          run: (w, c) =>
            call(c, 'POST', '/api/v1/jimeng/accounts/reset-status', { id: w.account }, jimengOwner),
          state: accountState,
        },
      ),
      row(
        'Jimeng account',
        'use',
        'jimeng',
        'POST /api/v1/jimeng/accounts/test',
        [200, 403, 403, 401, 404, 200],
        {
          run: (w, c) => call(c, 'POST', '/api/v1/jimeng/accounts/test', { id: w.account }, jimengOwner),
          state: accountState,
        },
      ),
      row(
        'Jimeng record',
        'delete',
        'jimeng',
        'POST /api/v1/jimeng/records/delete (others: nothing of theirs)',
        [200, 403, 403, 401, 200, 200],
        {
          noEffect: ['staff'],
          run: (w, c) =>
            call(c, 'POST', '/api/v1/jimeng/records/delete', { type: 'image', ids: [w.record] }, jimengOwner),
          state: batchState,
        },
      ),
      row(
        'Jimeng account',
        'read',
        'jimeng',
        'in GET /api/v1/jimeng/accounts/list',
        [200, 403, 403, 401, 200, 200],
        {
          run: (w, c) =>
            call(c, 'GET', '/api/v1/jimeng/accounts/list?page=1&size=200', undefined, jimengOwner),
          state: accountState,
          check: (cell, caller, w) => {
            if (cell.status === 200)
              expect(JSON.stringify(cell.body.data).includes(w.account), caller).toBe(caller !== 'staff');
          },
        },
      ),
      row(
        'Jimeng account',
        'delete',
        'jimeng',
        'POST /api/v1/jimeng/accounts/delete (others: nothing of theirs)',
        [200, 403, 403, 401, 200, 200],
        {
          noEffect: ['staff'],
          run: (w, c) => call(c, 'POST', '/api/v1/jimeng/accounts/delete', { ids: [w.account] }, jimengOwner),
          state: accountState,
        },
      ),

      // ---- staff only: the system overview (the dashboard); owner = the 003 owner, a staff member ----
      row('system overview', 'read', 'jimeng', 'GET /api/v1/admin/overview', [200, 403, 403, 401, 200, 200], {
        run: (w, c) => call(c, 'GET', '/api/v1/admin/overview?range=today', undefined, jimengOwner),
        state: batchState,
        check: (cell) => {
          if (cell.status === 200) expect(cell.body.data.totals.total).toBeGreaterThan(0);
        },
      }),
      // ---- staff only: music uploads for the story catalog (owner = the 003 owner, a staff member) ----
      row(
        'story music',
        'change',
        'jimeng',
        'POST /api/v1/story-admin/music/upload',
        [200, 403, 403, 401, 200, 200],
        {
          run: (w, c) => musicUpload(c, jimengOwner),
          state: () => models().MediaAsset.count({ where: { kind: 'audio' } }),
          check: (cell) => {
            if (cell.status === 200) expect(cell.body.url).toMatch(/\/media\/music\/[\w-]+\.wav$/);
          },
        },
      ),
    ];

    it('answers every cell of the matrix as written, and a refused call changes nothing', async () => {
      const failures: string[] = [];
      for (const entry of MATRIX) {
        for (const caller of CALLERS) {
          const w = await worldOf(entry.kind);
          const before = await entry.state(w);
          const cell = await entry.run(w, caller);
          const label = `${entry.resource} × ${caller} × ${entry.verb}: ${entry.action}`;
          if (cell.status !== entry.expected[caller])
            failures.push(
              `${label} → ${cell.status} (expected ${entry.expected[caller]}) ${JSON.stringify(cell.body)}`,
            );
          const refused = cell.status >= 400 || entry.noEffect?.includes(caller);
          const after = refused ? await entry.state(w) : before;
          try {
            expect(after, `${label} changed stored state`).toEqual(before);
            if (cell.status >= 400) noSecret(cell);
            entry.check?.(cell, caller, w);
          } catch (error) {
            failures.push(`${label}: ${(error as Error).message.slice(0, 600)}`);
          }
          // An allowed change may have altered the world: the next cell gets a fresh one.
          if (!refused && (entry.verb === 'change' || entry.verb === 'delete')) worlds.delete(entry.kind);
        }
        if (entry.kind === 'inflight') system.sandbox.state.setLatency(30);
      }
      expect(failures).toEqual([]);
    }, 120_000);
  },
);
