import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { member } from './support/anime.js';

/**
 * Short ids (issue 15): job cards show the first 8 characters of a generation's uuid and `/show`
 * takes any unique beginning of at least 6. GET /api/generation/find resolves a beginning among
 * the caller's OWN generations only: knowing (part of) someone else's id finds nothing.
 */
for (const db of ['sqlite', 'mariadb'] as const) {
  describe(`generation short ids (${db})`, () => {
    let system: RunningSystem;

    beforeAll(async () => {
      // No worker: the lookup reads stored tasks; they may stay pending.
      system = await startSystem({ db, worker: false });
    });
    afterAll(async () => {
      await system?.stop();
    });

    const find = (prefix: string, headers: Record<string, string> = {}, token?: string) =>
      api(system.baseUrl, 'GET', `/api/generation/find?prefix=${encodeURIComponent(prefix)}`, {
        headers,
        token,
      });

    /** A stored generation with a chosen id (a uuid's randomness would never make two collide). */
    async function storedTask(id: string, userId: string, prompt: string, createdAt: Date) {
      await system.core.models.GenerationTask.create({
        id,
        user_id: userId,
        source: 'anime',
        kind: 'image',
        provider: 'jimeng',
        model: 'jimeng-4.0',
        prompt,
        params: '{}',
        status: 'completed',
        requested_count: 1,
        created_at: createdAt,
        updated_at: createdAt,
      });
    }

    it("finds the caller's own generation by its short id, in any case, and by its full uuid", async () => {
      const owner = await member(system, `short-owner-${db}`);
      const created = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
        headers: owner.headers,
        body: { gen_type: 'anime', prompt: 'a paper crane' },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const uuid = created.body.data.generation_uuid as string;

      for (const prefix of [
        uuid.slice(0, 8),
        uuid.slice(0, 6).toUpperCase(),
        uuid,
        ` ${uuid.slice(0, 13)} `,
      ]) {
        const found = await find(prefix, owner.headers);
        expect(found.status, prefix).toBe(200);
        expect(found.body.data.generations, prefix).toEqual([
          {
            generation_uuid: uuid,
            short_id: uuid.slice(0, 8),
            kind: 'image',
            status: 'pending',
            prompt: 'a paper crane',
            created_at: expect.any(String),
          },
        ]);
      }

      // Another member, and staff, know the short id: it finds nothing for them.
      const stranger = await member(system, `short-stranger-${db}`);
      const strangers = await find(uuid.slice(0, 8), stranger.headers);
      expect(strangers.status).toBe(200);
      expect(strangers.body).toEqual({ success: true, data: { generations: [] } });
      const staff = await find(uuid.slice(0, 8), {}, system.admin.token);
      expect(staff.body).toEqual({ success: true, data: { generations: [] } });
    });

    it('lists every match of an ambiguous beginning, newest first, and only the caller’s', async () => {
      const owner = await member(system, `short-ambiguous-${db}`);
      const other = await member(system, `short-other-${db}`);
      const base = 'abcdef';
      const older = `${base}01-0000-4000-8000-000000000001`;
      const newer = `${base}02-0000-4000-8000-000000000002`;
      const foreign = `${base}03-0000-4000-8000-000000000003`;
      await storedTask(older, owner.userId, 'the older one', new Date('2026-01-01T00:00:00Z'));
      await storedTask(newer, owner.userId, 'the newer one', new Date('2026-01-02T00:00:00Z'));
      await storedTask(foreign, other.userId, 'not yours', new Date('2026-01-03T00:00:00Z'));

      const both = await find(base, owner.headers);
      expect(both.status).toBe(200);
      expect(both.body.data.generations.map((g: { generation_uuid: string }) => g.generation_uuid)).toEqual([
        newer,
        older,
      ]);
      const one = await find(`${base}01`, owner.headers);
      expect(one.body.data.generations.map((g: { prompt: string }) => g.prompt)).toEqual(['the older one']);
      const theirs = await find(`${base}03`, owner.headers);
      expect(theirs.body.data.generations).toEqual([]);
    });

    it('answers bad prefixes with a clear 400 in the anime envelope, and strangers with 401', async () => {
      const who = await member(system, `short-bad-${db}`);
      for (const prefix of ['abc12', 'zzzzzz', '%%%%%%', 'a'.repeat(37), '']) {
        const refused = await find(prefix, who.headers);
        expect(refused.status, prefix).toBe(400);
        expect(refused.body.success, prefix).toBe(false);
        expect(refused.body.error.code, prefix).toBe('VALIDATION_ERROR');
        expect(refused.body.error.message, prefix).toContain('prefix');
      }
      const anonymous = await find('abcdef');
      expect(anonymous.status).toBe(401);
    });
  });
}
