import { describe, expect, it } from 'vitest';
import type { Actor } from '../../identity/actor.js';
import type { AuditLog } from '../../audit/audit-log.js';
import type { SecretBox } from '../../shared/secret-box.js';
import { Catalogs } from './catalog-crud.js';
import { memoryTables } from './testing/in-memory-catalog-tables.js';
import { languages } from './catalogs/languages.catalog.js';
import { music, musicTypes } from './catalogs/music.catalog.js';
import { systemPromptPosts } from './catalogs/system-prompt-posts.catalog.js';

function setup() {
  const tables = memoryTables();
  const recorded: unknown[][] = [];
  let next = 0;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const catalogs = new Catalogs({
    tables,
    ids: { snowflake: () => String(++next) } as never,
    clock: { now: () => new Date((clock += 1000)) } as never,
    secrets: {} as SecretBox,
    audit: { record: async (...args: unknown[]) => void recorded.push(args) } as unknown as AuditLog,
  });
  return { catalogs, tables, recorded };
}

const staff: Actor = { id: 's', role: 'staff', username: null, displayName: null };
const member: Actor = { id: 'm', role: 'user', username: null, displayName: null };

describe('a catalog generated from its descriptor', () => {
  it('lets staff write and members read; refuses members writes and answers 404 by noun', async () => {
    const { catalogs } = setup();
    const crud = catalogs.of(languages);
    await expect(crud.create(member, { language: 'English' })).rejects.toMatchObject({ status: 403 });
    const english = await crud.create(staff, { language: 'English' });
    await crud.create(staff, { language: 'Français' });
    expect((await crud.list(member)) as unknown[]).toHaveLength(2);
    expect(await crud.get(member, english.id)).toEqual(english);
    await expect(crud.get(member, 'nope')).rejects.toMatchObject({
      status: 404,
      message: 'Language not found',
    });
  });

  it('runs the conflict rules: a second language of the same name is a 409, renaming onto itself is not', async () => {
    const { catalogs } = setup();
    const crud = catalogs.of(languages);
    const english = await crud.create(staff, { language: 'English' });
    await expect(crud.create(staff, { language: ' english ' })).rejects.toMatchObject({
      status: 409,
      code: 'LANGUAGE_EXISTS',
    });
    expect((await crud.update(staff, english.id, { language: 'ENGLISH' })).language).toBe('ENGLISH');
  });

  it('pages a paged catalog newest first', async () => {
    const { catalogs } = setup();
    const crud = catalogs.of(systemPromptPosts);
    for (const content of ['a', 'b', 'c']) await crud.create(staff, { content });
    const page = await crud.list(member, { page: 1, limit: 2 });
    expect(page).toMatchObject({ total: 3, items: [{ content: 'c' }, { content: 'b' }] });
  });

  it('keeps side effects and delete rules: music makes its type, a used type stays, deletes are audited', async () => {
    const { catalogs, recorded } = setup();
    await catalogs.of(music).create(staff, { name: 'Rain', url: '/media/rain.mp3', type: 'ambient' });
    const [ambient] = (await catalogs.of(musicTypes).list(member)) as Array<{ id: string; name: string }>;
    expect(ambient.name).toBe('ambient');
    // Creating an existing type answers it instead of a second row.
    expect((await catalogs.of(musicTypes).create(staff, { name: 'ambient' })).id).toBe(ambient.id);
    await expect(catalogs.of(musicTypes).remove(staff, ambient.id)).rejects.toMatchObject({ status: 409 });
    const [rain] = (await catalogs.of(music).list(member, { type: 'ambient' })) as Array<{ id: string }>;
    await catalogs.of(music).remove(staff, rain.id);
    await catalogs.of(musicTypes).remove(staff, ambient.id);
    expect(recorded.map((args) => args[1])).toEqual(['music.delete', 'music_type.delete']);
  });
});
