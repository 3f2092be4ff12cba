import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './support/clients.js';
import { walletLogin } from './support/story.js';
import { startSystem, type RunningSystem } from './support/system.js';

/**
 * Contract 002 as a client written from the contract text alone reads it: what such clients found
 * the server doing differently (publishing with speakers outside the cast or unknown music, hidden
 * prompts shown to players, unknown llm_ids and duplicate languages accepted, ...), each answered
 * in the family's `{"detail": ...}` envelope with nothing stored. Both databases.
 */
describe.each(['sqlite', 'mariadb'] as const)('contract 002 fidelity on %s', (db) => {
  let system: RunningSystem;
  let token: string;
  const admin = () => system.admin.token;

  beforeAll(async () => {
    system = await startSystem({ db });
    system.sandbox.state.updateSettings({ chatFirstTokenMs: 1, chatChunkIntervalMs: 1 });
    token = (await walletLogin(system)).token;
  });
  afterAll(async () => {
    await system?.stop();
  });

  async function character(name: string, as = token) {
    const created = await api(system.baseUrl, 'POST', '/api/v1/characters', { token: as, body: { name } });
    expect(created.status).toBe(201);
    return created.body.id as string;
  }

  describe('POST /api/v1/story/publish', () => {
    it('refuses an opening message from a character outside the cast, storing nothing', async () => {
      const [mira, tobin, outsider] = [
        await character('Mira'),
        await character('Tobin'),
        await character('Ash'),
      ];
      const before = await system.core.story.models.Story.count();
      const refused = await api(system.baseUrl, 'POST', '/api/v1/story/publish', {
        token,
        body: {
          story_name: 'Wrong speaker',
          template_content: 'A harbour at dawn.',
          characters: [mira, tobin],
          opening_messages: [
            { content: 'Morning.', character: mira },
            { content: 'Who invited me?', character: outsider },
          ],
        },
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({
        detail: expect.stringMatching(/opening_messages\.1.*not in the story's cast/),
      });
      expect(await system.core.story.models.Story.count()).toBe(before);

      // The same rule for POST /stories' setting (character_id there).
      const draft = await api(system.baseUrl, 'POST', '/api/v1/stories', {
        token,
        body: {
          title: 'Draft',
          setting: { character_ids: [mira], opening_messages: [{ content: 'Hi', character_id: tobin }] },
        },
      });
      expect(draft.status).toBe(400);
      expect(draft.body).toEqual({ detail: expect.stringMatching(/not in the story's cast/) });
      expect(await system.core.story.models.Story.count()).toBe(before);
    });

    it('POST /conversation refuses opening messages from outside the cast too, storing no conversation', async () => {
      const [mira, outsider] = [await character('Mira'), await character('Ash')];
      const published = await api(system.baseUrl, 'POST', '/api/v1/story/publish', {
        token,
        body: { story_name: 'Own openings', template_content: 'A quiet inn.', characters: [mira] },
      });
      expect(published.status).toBe(200);
      const conversations = () => system.core.story.models.Conversation.count();
      const before = await conversations();
      const refused = await api(system.baseUrl, 'POST', '/api/v1/conversation', {
        token,
        body: {
          story_id: published.body.id,
          messages: [
            { content: 'Welcome.', character_id: mira },
            { content: 'I was never here.', character_id: outsider },
          ],
        },
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({ detail: expect.stringMatching(/messages\.1.*not in the story's cast/) });
      expect(await conversations()).toBe(before);
      const accepted = await api(system.baseUrl, 'POST', '/api/v1/conversation', {
        token,
        body: { story_id: published.body.id, messages: [{ content: 'Welcome.', character_id: mira }] },
      });
      expect(accepted.status).toBe(200);
      expect(await conversations()).toBe(before + 1);
    });

    it('refuses an unknown background_music_id and accepts a catalog one', async () => {
      const mira = await character('Mira');
      const body = {
        story_name: 'With music',
        template_content: 'A quiet tavern.',
        characters: [mira],
        opening_messages: [{ content: 'Welcome.', character: mira }],
      };
      const before = await system.core.story.models.Story.count();
      const refused = await api(system.baseUrl, 'POST', '/api/v1/story/publish', {
        token,
        body: { ...body, background_music_id: '67826549efec43a02d951b61' },
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({ detail: expect.stringMatching(/background_music_id/) });
      expect(await system.core.story.models.Story.count()).toBe(before);

      const music = await api(system.baseUrl, 'POST', '/api/v1/music', {
        token: admin(),
        body: { name: 'Tavern', url: 'http://example.com/tavern.mp3', type: 'ambient' },
      });
      const published = await api(system.baseUrl, 'POST', '/api/v1/story/publish', {
        token,
        body: { ...body, background_music_id: music.body.id },
      });
      expect(published.status).toBe(200);
      const listed = await api(
        system.baseUrl,
        'GET',
        '/api/v1/story/get_unstarted_stories?page=1&limit=100',
        {
          token,
        },
      );
      const entry = listed.body.find((story: { id: string }) => story.id === published.body.id);
      expect(entry.backgroundMusic).toBe('http://example.com/tavern.mp3');
    });
  });

  describe('intro (generated_background)', () => {
    const notes = 'Title: Harbour\nContent: Smugglers meet at the old lighthouse before the storm.';

    async function listed(storyId: string) {
      const list = await api(system.baseUrl, 'GET', '/api/v1/story/get_unstarted_stories?page=1&limit=100', {
        token,
      });
      expect(list.status).toBe(200);
      return list.body.find((story: { id: string }) => story.id === storyId);
    }

    it('is written by the LLM at publish time and stored with the story', async () => {
      const mira = await character('Mira');
      const published = await api(system.baseUrl, 'POST', '/api/v1/story/publish', {
        token,
        body: { story_name: 'Harbour', template_content: notes, characters: [mira], language: 'en' },
      });
      expect(published.status).toBe(200);
      const row = await system.core.story.models.Story.findByPk(published.body.id);
      expect(row!.generated_background).toEqual(expect.any(String));
      expect(row!.generated_background!.length).toBeGreaterThan(10);
      expect(row!.generated_background).not.toBe(notes);
      const entry = await listed(published.body.id);
      expect(entry.intro).toBe(row!.generated_background);
    });

    it('publishing succeeds with the LLM down: the template content shows until a later attempt writes it', async () => {
      const mira = await character('Mira');
      system.sandbox.state.injectFault({ provider: 'openai', kind: 'server-error', count: 100 });
      let published;
      try {
        published = await api(system.baseUrl, 'POST', '/api/v1/story/publish', {
          token,
          body: { story_name: 'Harbour (down)', template_content: notes, characters: [mira] },
        });
      } finally {
        system.sandbox.state.clearFaults();
      }
      expect(published.status).toBe(200);
      const row = await system.core.story.models.Story.findByPk(published.body.id);
      expect(row!.generated_background).toBeNull();

      // The first list shows the template content and starts writing the intro in the background.
      expect((await listed(published.body.id)).intro).toBe(notes);
      await system.core.story.intro.settled();
      const written = await system.core.story.models.Story.findByPk(published.body.id);
      expect(written!.generated_background).toEqual(expect.any(String));
      expect(written!.generated_background).not.toBe(notes);
      expect((await listed(published.body.id)).intro).toBe(written!.generated_background);
    });
  });

  describe('story templates', () => {
    it('players get templates without hiddenPrompt; staff see and edit it', async () => {
      const created = await api(system.baseUrl, 'POST', '/api/v1/story-templates', {
        token: admin(),
        body: { id: 'secret-plot', name: 'Secret plot', hiddenPrompt: 'The butler did it.' },
      });
      expect(created.status).toBe(201);
      expect(created.body.hiddenPrompt).toBe('The butler did it.');

      const one = await api(system.baseUrl, 'GET', '/api/v1/story-templates/secret-plot', { token });
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ id: 'secret-plot', name: 'Secret plot' });
      expect(one.body).not.toHaveProperty('hiddenPrompt');
      const all = await api(system.baseUrl, 'GET', '/api/v1/story-templates', { token });
      expect(all.status).toBe(200);
      expect(all.body.length).toBeGreaterThan(0);
      for (const template of all.body) expect(template).not.toHaveProperty('hiddenPrompt');
      expect(JSON.stringify(all.body)).not.toContain('The butler did it.');

      const edited = await api(system.baseUrl, 'PUT', '/api/v1/story-templates/secret-plot', {
        token: admin(),
        body: { hiddenPrompt: 'The gardener did it.' },
      });
      expect(edited.body.hiddenPrompt).toBe('The gardener did it.');
      const staffView = await api(system.baseUrl, 'GET', '/api/v1/story-templates/secret-plot', {
        token: admin(),
      });
      expect(staffView.body.hiddenPrompt).toBe('The gardener did it.');
      const staffList = await api(system.baseUrl, 'GET', '/api/v1/story-templates', { token: admin() });
      expect(staffList.body.find((t: { id: string }) => t.id === 'secret-plot').hiddenPrompt).toBe(
        'The gardener did it.',
      );
    });
  });

  describe('POST /api/v1/character-avatar/create', () => {
    it('refuses an unknown or non-chat llm_id with 400 like every other route, storing nothing', async () => {
      const before = await system.core.story.models.Character.count();
      for (const llmId of ['no-such-model', 'jimeng-4.5']) {
        const refused = await api(system.baseUrl, 'POST', '/api/v1/character-avatar/create', {
          token,
          body: { llm_id: llmId, character_name: 'Kit', character_description: 'A fox' },
        });
        expect(refused.status).toBe(400);
        expect(refused.body).toEqual({ detail: `The model '${llmId}' does not exist or is not available.` });
      }
      expect(await system.core.story.models.Character.count()).toBe(before);

      const accepted = await api(system.baseUrl, 'POST', '/api/v1/character-avatar/create', {
        token,
        body: { llm_id: 'sandbox-chat', character_name: 'Kit', character_description: 'A fox' },
      });
      expect(accepted.status).toBe(200);
      expect(accepted.body.llm_id).toBe('sandbox-chat');
      // Changing it later is held to the same rule.
      const renamed = await api(system.baseUrl, 'PUT', `/api/v1/characters/${accepted.body.id}`, {
        token,
        body: { llm_id: 'no-such-model' },
      });
      expect(renamed.status).toBe(400);
      expect(renamed.body).toEqual({ detail: expect.stringMatching(/no-such-model/) });
    });
  });

  async function waitForImage(taskId: string) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const status = await api(system.baseUrl, 'GET', `/api/v1/ai/t2i/status/${taskId}`, { token });
      expect(status.status).toBe(200);
      if (status.body.status === 'completed' || status.body.status === 'failed') return status.body;
      if (Date.now() > deadline) throw new Error(`task ${taskId} still ${status.body.status}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function served(url: string) {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    return sharp(Buffer.from(await response.arrayBuffer())).metadata();
  }

  describe('POST /api/v1/character-avatar/generate', () => {
    it('icon_url is its own square icon of the avatar, stored once as its own media', async () => {
      const started = await api(system.baseUrl, 'POST', '/api/v1/character-avatar/generate', {
        token,
        body: { llm_id_for_prompt: 'prompt-writer', character_description: 'A fox spirit with silver hair' },
      });
      expect(started.status).toBe(200);
      const done = await waitForImage(started.body.task_id);
      expect(done.status).toBe('completed');
      // Several readers at once still make one icon.
      const polls = await Promise.all(
        [1, 2, 3].map(() => api(system.baseUrl, 'GET', `/api/v1/ai/t2i/status/${done.task_id}`, { token })),
      );
      for (const poll of polls) expect(poll.body.icon_url).toBe(done.icon_url);
      expect(done.icon_url).not.toBe(done.image_url);
      const image = await served(done.image_url);
      const icon = await served(done.icon_url);
      expect(icon.format).toBe('webp');
      expect(icon.width).toBe(icon.height);
      expect(icon.width).toBe(Math.min(256, image.width!, image.height!));
      const rows = await system.core.models.MediaAsset.findAll({
        where: { storage_key: `icons/${done.task_id}.webp` },
      });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ mime: 'image/webp', task_id: null, width: icon.width });
    });
  });

  describe('POST /api/v1/ai/t2i/submit', () => {
    it('honours the documented sizes as the provider expects them (ratio + resolution)', async () => {
      const expected = {
        '1024*1024': { ratio: '1:1', resolution: '1k' },
        '720*1280': { ratio: '9:16', resolution: '2k' },
        '1280*720': { ratio: '16:9', resolution: '2k' },
      };
      const tasks: Record<string, string> = {};
      for (const [size, params] of Object.entries(expected)) {
        const submitted = await api(system.baseUrl, 'POST', '/api/v1/ai/t2i/submit', {
          token,
          body: { model_id: 'jimeng-4.5', prompt: 'an eagle in flight', size },
        });
        expect(submitted.status).toBe(200);
        const task = await system.core.models.GenerationTask.findByPk(submitted.body.task_id);
        expect(JSON.parse(task!.params)).toMatchObject(params);
        tasks[size] = submitted.body.task_id;
      }
      const portrait = await waitForImage(tasks['720*1280']);
      const meta = await served(portrait.image_url);
      expect(meta.width! / meta.height!).toBeCloseTo(720 / 1280, 2);
    });

    it('refuses any other size with 400, storing nothing', async () => {
      const before = await system.core.models.GenerationTask.count();
      for (const size of ['512*512', '1024*768', 'big', '']) {
        const refused = await api(system.baseUrl, 'POST', '/api/v1/ai/t2i/submit', {
          token,
          body: { model_id: 'jimeng-4.5', prompt: 'an eagle', size },
        });
        expect(refused.status).toBe(400);
        expect(refused.body).toEqual({ detail: 'size must be one of 1024*1024, 720*1280, 1280*720' });
      }
      expect(await system.core.models.GenerationTask.count()).toBe(before);
    });
  });

  describe('POST /api/v1/story_chat/select-speakers', () => {
    it("a request to describe the surroundings is the narrator's, by rule", async () => {
      const picked = await api(system.baseUrl, 'POST', '/api/v1/story_chat/select-speakers', {
        token,
        body: {
          history_length: 25,
          user_message: '描述一下周围的环境',
          history_messages: [{ role: 'character', character_name: '小惠', content: '今天天气真好啊' }],
          character_names: ['旁白', '小惠', '小静'],
        },
      });
      expect(picked.status).toBe(200);
      expect(picked.body).toEqual({ speakers: ['旁白'] });
    });
  });

  describe('languages', () => {
    it('a second language of the same name is a 409 conflict (create and rename), nothing stored', async () => {
      const before = await system.core.story.models.Language.count();
      for (const language of ['English', ' english ']) {
        const duplicate = await api(system.baseUrl, 'POST', '/api/v1/languages', {
          token: admin(),
          body: { language },
        });
        expect(duplicate.status).toBe(409);
        expect(duplicate.body).toEqual({ detail: expect.stringMatching(/English already exists/) });
      }
      expect(await system.core.story.models.Language.count()).toBe(before);

      const german = await api(system.baseUrl, 'POST', '/api/v1/languages', {
        token: admin(),
        body: { language: 'Deutsch' },
      });
      expect(german.status).toBe(201);
      const clash = await api(system.baseUrl, 'PUT', `/api/v1/languages/${german.body.id}`, {
        token: admin(),
        body: { language: '中文' },
      });
      expect(clash.status).toBe(409);
      expect(clash.body).toEqual({ detail: expect.any(String) });
      // Renaming a language to its own name (another spelling) is no conflict.
      const same = await api(system.baseUrl, 'PUT', `/api/v1/languages/${german.body.id}`, {
        token: admin(),
        body: { language: 'DEUTSCH' },
      });
      expect(same.status).toBe(200);
    });
  });
});
