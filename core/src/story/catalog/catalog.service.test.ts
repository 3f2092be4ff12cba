import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../identity/actor.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { createIdGenerator } from '../../shared/ids.js';
import { CatalogService } from './catalog.service.js';
import type { CharacterRecord } from './character.repository.js';
import { memoryTables } from './testing/in-memory-catalog-tables.js';
import { InMemoryCharacterRepository, InMemoryStoryRepository } from './testing/in-memory-story-catalog.js';

const author: Actor = { id: 'u1', role: 'user', username: 'mia', displayName: 'Mia' };
const player: Actor = { id: 'u2', role: 'user', username: 'leo', displayName: 'Leo' };
const staff: Actor = { id: 'u9', role: 'staff', username: 'sam', displayName: 'Sam' };

describe('CatalogService (characters and stories, in-memory ports)', () => {
  let characters: InMemoryCharacterRepository;
  let stories: InMemoryStoryRepository;
  let tables: ReturnType<typeof memoryTables>;
  let audited: unknown[][];
  let service: CatalogService;
  let clock: number;

  function character(id: string, owner: string | null, extra: Partial<CharacterRecord> = {}) {
    const at = new Date((clock += 1000));
    characters.rows.push({
      id,
      user_id: owner,
      name: id.toUpperCase(),
      description: `${id} description`,
      personality: '',
      background: '',
      language: null,
      image_url: null,
      icon_url: null,
      image_prompt: null,
      llm_id: null,
      character_type: 'character',
      talkativeness: 0.5,
      is_public: false,
      created_at: at,
      updated_at: at,
      ...extra,
    });
  }

  beforeEach(() => {
    clock = Date.parse('2026-01-01T00:00:00Z');
    characters = new InMemoryCharacterRepository();
    stories = new InMemoryStoryRepository();
    tables = memoryTables();
    audited = [];
    service = new CatalogService({
      characters,
      stories,
      catalogTables: tables,
      conversations: { storyIdsStartedBy: async () => [] },
      llm: { findActive: async () => ({}) as never },
      users: { userById: async () => null, identityOfUser: async () => null },
      ids: createIdGenerator(),
      clock: { now: () => new Date((clock += 1000)) },
      audit: { record: async (...args: unknown[]) => void audited.push(args) } as unknown as AuditLog,
    });
    character('mine', author.id);
    character('theirs', player.id);
    character('shared', staff.id, { is_public: true });
    character('narrator', null, { character_type: 'narrator', is_public: true });
  });

  it('publishes a cast of own and public characters; refuses unknown and private ones', async () => {
    const { id } = await service.publishStory(author, {
      story_name: 'Heist',
      characters: ['mine', 'shared'],
    });
    expect(stories.rows[0]).toMatchObject({ id, is_published: true, character_ids: '["mine","shared"]' });
    await expect(
      service.publishStory(author, { story_name: 'x', characters: ['mine', 'ghost'] }),
    ).rejects.toMatchObject({ status: 400, message: 'Unknown character in the cast' });
    await expect(
      service.publishStory(author, { story_name: 'x', characters: ['theirs'] }),
    ).rejects.toMatchObject({ status: 403 });
    expect(stories.rows).toHaveLength(1);
  });

  it("checks a template's cast limit without counting the narrator", async () => {
    tables.rows.set('StoryTemplate', [{ id: 'duo', max_characters: 2 }]);
    await service.publishStory(author, {
      template_id: 'duo',
      story_name: 'Two and a voice',
      characters: ['mine', 'shared', 'narrator'],
    });
    character('third', author.id);
    await expect(
      service.publishStory(author, {
        template_id: 'duo',
        story_name: 'x',
        characters: ['mine', 'shared', 'third'],
      }),
    ).rejects.toMatchObject({ status: 400, message: 'This template allows at most 2 characters' });
  });

  it('shows a private cast member of a published story as its card only, and hides it otherwise', async () => {
    await expect(service.getCharacter(player, 'mine')).rejects.toMatchObject({ status: 404 });
    await service.publishStory(author, { story_name: 'Heist', characters: ['mine'] });
    const card = await service.getCharacter(player, 'mine');
    expect(card).toEqual({
      id: 'mine',
      name: 'MINE',
      avatar: null,
      image_url: null,
      icon_url: null,
      character_type: 'character',
      language: null,
      is_public: false,
    });
  });

  it('refuses to delete a character a published story casts; drafts do not count; staff deletes are audited', async () => {
    await service.createStory(author, { title: 'Draft', setting: { character_ids: ['mine'] } });
    await service.publishStory(author, { story_name: 'Heist', characters: ['shared'] });
    await expect(service.deleteCharacter(staff, 'shared')).rejects.toMatchObject({
      code: 'CHARACTER_IN_USE',
      status: 409,
      message: '1 published story casts this character',
    });
    await service.deleteCharacter(staff, 'mine');
    expect(characters.rows.map((row) => row.id)).not.toContain('mine');
    expect(audited).toHaveLength(1);
    expect(audited[0].slice(1, 3)).toEqual(['character.delete', { kind: 'character', id: 'mine' }]);
    await expect(service.deleteCharacter(staff, 'narrator')).rejects.toMatchObject({ status: 403 });
  });

  it('lists a member their own characters newest first, and staff every one with `all`', async () => {
    character('later', author.id);
    expect((await service.listCharacters(author, {})).items.map((c) => c.id)).toEqual(['later', 'mine']);
    expect((await service.listCharacters(staff, { all: true })).total).toBe(5);
    expect((await service.listCharacters(author, { all: true })).total).toBe(2);
  });
});
