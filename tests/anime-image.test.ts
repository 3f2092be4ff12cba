import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { member, waitForEnd } from './support/anime.js';

/** Contract 000 end to end on SQLite: prompt tools, presets, characters, references, reuse, history. */
describe('anime images (contract 000)', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    // The server itself (127.0.0.1) is allow-listed so generated images can be reused as references.
    system = await startSystem({ db: 'sqlite', env: { ANIME_REFERENCE_ALLOWED_HOSTS: '127.0.0.1' } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const post = (path: string, headers: Record<string, string>, body: unknown) =>
    api(system.baseUrl, 'POST', path, { headers, body });

  it('optimizes image and video prompts through the LLM, and answers 502 when it fails', async () => {
    const { headers } = await member(system, 'opt-1');
    for (const path of ['/api/anime-generation/optimize-prompt', '/api/anime-video/optimize-prompt']) {
      const answer = await post(path, headers, { prompt: 'a girl with a red umbrella', style: 'watercolor' });
      expect(answer.status, path).toBe(200);
      expect(answer.body.success).toBe(true);
      expect(answer.body.data.original_prompt).toBe('a girl with a red umbrella');
      expect(typeof answer.body.data.optimized_prompt).toBe('string');
      expect(answer.body.data.optimized_prompt.length).toBeGreaterThan(0);
      expect(Array.isArray(answer.body.data.improvements)).toBe(true);
      system.sandbox.state.injectFault({ provider: 'openai', kind: 'server-error' });
      const failed = await post(path, headers, { prompt: 'a girl with a red umbrella' });
      expect(failed.status, path).toBe(502);
      expect(failed.body).toMatchObject({ success: false, error: { code: 'LLM_OPTIMIZE_FAILED' } });
    }
    const empty = await post('/api/anime-generation/optimize-prompt', headers, { prompt: '  ' });
    expect(empty.status).toBe(400);
  });

  it('builds prompts from templates with every documented error code', async () => {
    const { headers } = await member(system, 'build-1');
    const path = '/api/anime-generation/build-extract-prompt';
    const params = {
      world_name: 'Aetheria',
      world_genre: 'Fantasy',
      world_description: 'Floating islands and ancient ruins',
      scene_hint: '',
    };
    const plain = await post(path, headers, {
      template_key: 'world-cover',
      template_params: params,
      use_llm_build: false,
    });
    expect(plain.status).toBe(200);
    expect(plain.body).toEqual({
      success: true,
      data: { prompt: 'Cover art for the Fantasy world "Aetheria": Floating islands and ancient ruins.' },
    });
    const built = await post(path, headers, { template_key: 'world-cover', template_params: params });
    expect(built.status).toBe(200);
    expect(built.body.data.prompt.length).toBeGreaterThan(0);

    const missingTemplate = await post(path, headers, {
      template_key: 'no-such-template',
      template_params: {},
    });
    expect(missingTemplate.status).toBe(404);
    expect(missingTemplate.body.error.code).toBe('TEMPLATE_NOT_FOUND');
    const missingField = await post(path, headers, {
      template_key: 'world-cover',
      template_params: { ...params, world_name: '' },
    });
    expect(missingField.status).toBe(400);
    expect(missingField.body.error.code).toBe('REQUIRED_FIELD_MISSING');
    expect(missingField.body.error.message).toContain('world_name');
    system.sandbox.state.injectFault({ provider: 'openai', kind: 'server-error' });
    const llmFailed = await post(path, headers, { template_key: 'world-cover', template_params: params });
    expect(llmFailed.status).toBe(502);
    expect(llmFailed.body.error.code).toBe('LLM_BUILD_FAILED');
    const now = new Date();
    await system.core.anime.models.AnimePromptTemplate.create({
      id: '6f1c2d3e-0000-4000-8000-00000000e001',
      template_key: 'only-hint',
      name: 'Only a hint',
      template: '{{hint}}',
      variables: JSON.stringify([{ name: 'hint', type: 'string', required: false }]),
      llm_instructions: null,
      created_at: now,
      updated_at: now,
    });
    const empty = await post(path, headers, {
      template_key: 'only-hint',
      template_params: {},
      use_llm_build: false,
    });
    expect(empty.status).toBe(500);
    expect(empty.body).toEqual({
      success: false,
      error: { code: 'PROMPT_EMPTY', message: 'The built prompt is empty' },
    });
  });

  it('applies presets from the database and refuses unknown ones', async () => {
    const { headers } = await member(system, 'preset-1');
    const presets = await api(system.baseUrl, 'GET', '/api/anime-generation/presets', { headers });
    expect(presets.status).toBe(200);
    const kinds = new Set(presets.body.data.map((preset: { kind: string }) => preset.kind));
    expect([...kinds].sort()).toEqual(['action', 'outfit', 'scene', 'style']);
    const created = await post('/api/anime-generation/create-task', headers, {
      gen_type: 'anime',
      prompt: 'a knight',
      style_preset: 'watercolor',
      action_preset: 'waving',
    });
    expect(created.status).toBe(200);
    expect(created.body.data.status).toBe('pending');
    const task = await system.core.models.GenerationTask.findByPk(created.body.data.generation_uuid);
    expect(task!.prompt).toContain('watercolor anime illustration');
    expect(task!.prompt).toContain('waving cheerfully');
    const unknown = await post('/api/anime-generation/create-task', headers, {
      gen_type: 'anime',
      prompt: 'a knight',
      scene_preset: 'moon-base',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('PRESET_NOT_FOUND');
    await waitForEnd(system, created.body.data.generation_uuid, headers);
  });

  it('uses only characters the caller owns', async () => {
    const owner = await member(system, 'char-owner');
    const stranger = await member(system, 'char-stranger');
    const now = new Date();
    await system.core.sequelize.query(
      `INSERT INTO story_characters (id, user_id, name, description, personality, background, character_type, talkativeness, image_prompt, created_at, updated_at)
       VALUES (?, ?, 'Mira', 'a silver-haired mage', 'calm', 'a tower', 'user', 0.5, 'silver-haired mage in blue robes', ?, ?)`,
      { replacements: ['c0ffee00-0000-4000-8000-000000000001', owner.userId, now, now] },
    );
    const mine = await post('/api/anime-generation/create-task', owner.headers, {
      gen_type: 'anime',
      prompt: 'portrait',
      character_uuids: ['c0ffee00-0000-4000-8000-000000000001'],
    });
    expect(mine.status).toBe(200);
    const task = await system.core.models.GenerationTask.findByPk(mine.body.data.generation_uuid);
    expect(task!.prompt).toContain('silver-haired mage in blue robes');
    const theirs = await post('/api/anime-generation/create-task', stranger.headers, {
      gen_type: 'anime',
      prompt: 'portrait',
      character_uuids: ['c0ffee00-0000-4000-8000-000000000001'],
    });
    expect(theirs.status).toBe(404);
    expect(theirs.body.error.code).toBe('CHARACTER_NOT_FOUND');
    await waitForEnd(system, mine.body.data.generation_uuid, owner.headers);
  });

  it('refuses reference URLs at loopback, private, link-local addresses and non-http schemes', async () => {
    const { headers, userId } = await member(system, 'ssrf-1');
    const before = await system.core.models.GenerationTask.count({ where: { user_id: userId } });
    const port = new URL(system.baseUrl).port;
    for (const url of [
      `http://localhost:${port}/api/docs`,
      'http://127.0.0.2/x.png',
      'http://10.0.0.8/x.png',
      'http://192.168.0.1/x.png',
      'http://172.16.5.4/x.png',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/x.png',
      'http://[fd00::5]/x.png',
      'file:///etc/passwd',
      'ftp://example.com/x.png',
    ]) {
      const answer = await post('/api/anime-generation/create-task', headers, {
        gen_type: 'anime',
        prompt: 'a cat',
        reference_image_urls: [url],
      });
      expect(answer.status, url).toBe(400);
      expect(answer.body.error.code, url).toBe('REFERENCE_IMAGE_REFUSED');
    }
    // An allow-listed host still has to serve a real image.
    const notImage = await post('/api/anime-generation/create-task', headers, {
      gen_type: 'anime',
      prompt: 'a cat',
      reference_image_urls: [`${system.baseUrl}/api/docs`],
    });
    expect(notImage.status).toBe(400);
    expect(await system.core.models.GenerationTask.count({ where: { user_id: userId } })).toBe(before);
  });

  it('reuses every setting of an earlier generation and lists history with pagination', async () => {
    const { headers } = await member(system, 'history-1');
    const first = await post('/api/anime-generation/create-task', headers, {
      gen_type: 'anime',
      prompt: 'a lighthouse at dusk',
      aspect_ratio: '16:9',
      image_resolution: '4K',
      style_preset: 'cel-shaded',
      batch_size: 2,
    });
    expect(first.status).toBe(200);
    const firstDone = await waitForEnd(system, first.body.data.generation_uuid, headers);
    expect(firstDone.status).toBe('completed');
    // Reuse by one of its images, with a new prompt and a reference image (one of our outputs).
    const reused = await post('/api/anime-generation/create-task', headers, {
      gen_image_id: first.body.data.generation_uuid,
      prompt: 'a lighthouse at dawn',
      reference_image_urls: [firstDone.results[0].image_url],
    });
    expect(reused.status).toBe(200);
    const task = await system.core.models.GenerationTask.findByPk(reused.body.data.generation_uuid);
    const params = JSON.parse(task!.params);
    expect(params.ratio).toBe('16:9');
    expect(params.resolution).toBe('4k');
    expect(params.referenceImages).toHaveLength(1);
    expect(params.referenceImages[0]).toContain('/media/references/');
    expect(params.request).toMatchObject({
      aspect_ratio: '16:9',
      image_resolution: '4K',
      style_preset: 'cel-shaded',
      batch_size: 2,
    });
    expect(task!.prompt).toContain('a lighthouse at dawn');
    await waitForEnd(system, reused.body.data.generation_uuid, headers);
    const third = await post('/api/anime-generation/create-task', headers, {
      gen_type: 'anime',
      prompt: 'third',
    });
    await waitForEnd(system, third.body.data.generation_uuid, headers);

    const page1 = await api(system.baseUrl, 'GET', '/api/anime-generation/history?page=1&limit=2', {
      headers,
    });
    expect(page1.status).toBe(200);
    expect(page1.body.data.pagination).toEqual({
      page: 1,
      limit: 2,
      total: 3,
      totalPages: 2,
      hasNext: true,
      hasPrev: false,
    });
    expect(page1.body.data.records.map((record: { prompt: string }) => record.prompt)[0]).toBe('third');
    const page2 = await api(system.baseUrl, 'GET', '/api/anime-generation/history?page=2&limit=2', {
      headers,
    });
    expect(page2.body.data.pagination).toMatchObject({ page: 2, hasNext: false, hasPrev: true });
    const oldest = page2.body.data.records[0];
    expect(oldest).toMatchObject({
      generation_uuid: first.body.data.generation_uuid,
      status: 'completed',
      aspect_ratio: '16:9',
    });
    expect(oldest.images).toHaveLength(2);
    expect(oldest.params).toMatchObject({
      aspect_ratio: '16:9',
      image_resolution: '4K',
      style_preset: 'cel-shaded',
    });
    const failed = await api(system.baseUrl, 'GET', '/api/anime-generation/history?status=failed', {
      headers,
    });
    expect(failed.body.data.records).toHaveLength(0);
    const stranger = await member(system, 'history-2');
    const foreign = await api(system.baseUrl, 'GET', '/api/anime-generation/history', {
      headers: stranger.headers,
    });
    expect(foreign.body.data.pagination.total).toBe(0);
    const cannotReuse = await post('/api/anime-generation/create-task', stranger.headers, {
      gen_image_id: first.body.data.generation_uuid,
    });
    expect(cannotReuse.status).toBe(404);
    const badStatus = await api(system.baseUrl, 'GET', '/api/anime-generation/history?status=weird', {
      headers,
    });
    expect(badStatus.status).toBe(400);
  });

  it('lets staff edit templates and presets, which members then use', async () => {
    const { headers } = await member(system, 'catalog-1');
    const staff = { authorization: `Bearer ${system.admin.token}` };
    const forbidden = await api(system.baseUrl, 'PUT', '/api/anime-generation/admin/presets/style/ink', {
      headers,
      body: { name: 'Ink', prompt: 'ink wash painting' },
    });
    expect(forbidden.status).toBe(403);
    const preset = await api(system.baseUrl, 'PUT', '/api/anime-generation/admin/presets/style/ink', {
      headers: staff,
      body: { name: 'Ink', prompt: 'ink wash painting, sumi-e' },
    });
    expect(preset.status).toBe(200);
    const undeclared = await api(system.baseUrl, 'PUT', '/api/anime-generation/admin/templates/duel', {
      headers: staff,
      body: {
        name: 'Duel',
        template: '{{hero}} fights {{villain}}',
        variables: [{ name: 'hero', required: true }],
      },
    });
    expect(undeclared.status).toBe(400);
    expect(undeclared.body.error.message).toContain('villain');
    const template = await api(system.baseUrl, 'PUT', '/api/anime-generation/admin/templates/duel', {
      headers: staff,
      body: {
        name: 'Duel',
        template: '{{hero}} fights {{villain}} in {{rounds}} rounds',
        variables: [
          { name: 'hero', required: true },
          { name: 'villain', type: 'enum', options: ['a dragon', 'a golem'], required: true },
          { name: 'rounds', type: 'number', required: true },
        ],
      },
    });
    expect(template.status).toBe(200);
    const listed = await api(system.baseUrl, 'GET', '/api/anime-generation/admin/templates', {
      headers: staff,
    });
    expect(listed.body.data.map((each: { template_key: string }) => each.template_key)).toContain('duel');
    const build = (params: Record<string, unknown>) =>
      post('/api/anime-generation/build-extract-prompt', headers, {
        template_key: 'duel',
        template_params: params,
        use_llm_build: false,
      });
    const built = await build({ hero: 'Mira', villain: 'a dragon', rounds: 3 });
    expect(built.body.data.prompt).toBe('Mira fights a dragon in 3 rounds');
    expect((await build({ hero: 'Mira', villain: 'a kraken', rounds: 3 })).status).toBe(400);
    expect((await build({ hero: 'Mira', villain: 'a dragon', rounds: 'many' })).status).toBe(400);
    const created = await post('/api/anime-generation/create-task', headers, {
      gen_type: 'action_figure',
      template_prompt: 'boxed action figure',
      user_prompt: 'a samurai',
      style_preset: 'ink',
    });
    expect(created.status).toBe(200);
    const task = await system.core.models.GenerationTask.findByPk(created.body.data.generation_uuid);
    expect(task!.prompt).toBe('boxed action figure, a samurai, ink wash painting, sumi-e');
    expect(JSON.parse(task!.params).ratio).toBe('3:4');
    await waitForEnd(system, created.body.data.generation_uuid, headers);
  });

  it('chooses Gemini or the Jimeng pool by model_uuid', async () => {
    const { headers } = await member(system, 'gemini-1');
    const before = system.sandbox.state.callCount('gemini');
    const created = await post('/api/anime-generation/create-task', headers, {
      gen_type: 'anime',
      prompt: 'a koi pond in autumn',
      model_uuid: 'gemini-3-pro-image-preview',
      aspect_ratio: '16:9',
      batch_size: 2,
    });
    expect(created.status).toBe(200);
    const done = await waitForEnd(system, created.body.data.generation_uuid, headers);
    expect(done.status).toBe('completed');
    expect(done.results).toHaveLength(2);
    expect(done.results[0].mime).toBe('image/png');
    expect(system.sandbox.state.callCount('gemini') - before).toBe(2);
    const task = await system.core.models.GenerationTask.findByPk(created.body.data.generation_uuid);
    expect(task).toMatchObject({ provider: 'gemini', model: 'gemini-3-pro-image-preview' });
    // With a reference image (one of the outputs above), sent inline.
    const withReference = await post('/api/anime-generation/create-task', headers, {
      gen_type: 'anime',
      prompt: 'the same pond in winter',
      model_uuid: 'gemini-2.5-flash-image',
      reference_image_urls: [done.results[0].image_url],
    });
    expect((await waitForEnd(system, withReference.body.data.generation_uuid, headers)).status).toBe(
      'completed',
    );
    system.sandbox.state.injectFault({ provider: 'gemini', kind: 'image-safety' });
    const blocked = await post('/api/anime-generation/create-task', headers, {
      gen_type: 'anime',
      prompt: 'blocked',
      model_uuid: 'gemini-2.5-flash-image',
    });
    const failed = await waitForEnd(system, blocked.body.data.generation_uuid, headers);
    expect(failed.status).toBe('failed');
    const unknown = await post('/api/anime-generation/create-task', headers, {
      gen_type: 'anime',
      prompt: 'x',
      model_uuid: 'dall-e-9',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('MODEL_NOT_FOUND');
  });
});
