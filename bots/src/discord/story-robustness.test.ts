import { ApplicationCommandOptionType, ChannelType } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobTracker } from '../shared/job-tracker.js';
import { silentLogger } from '../shared/logger.js';
import { StoryHandler } from '../shared/story.handler.js';
import type { StorySummary } from '../shared/story-client.js';
import {
  chatInputInteraction,
  createOfflineDiscordBot,
  dispatchInteraction,
} from '../testing/discord-interactions.js';
import { FakeDreamloomClient } from '../testing/fake-dreamloom-client.js';
import { startFakeDiscordRest, type FakeDiscordRest } from '../testing/fake-discord-rest.js';
import { FakeStoryApi } from '../testing/fake-story-api.js';
import { resolveMentions } from './resolve-mentions.js';
import { replyLine } from './story-markdown.js';
import type { DiscordBot } from './create-discord-bot.js';

const EPHEMERAL = 64;
const channelId = '350000000000000001';
const story: StorySummary = {
  id: 's1',
  title: 'Inn',
  intro: '',
  characters: [{ id: 'b', name: 'Tobin', imageUrl: null, type: 'character' }],
};
const member = { id: '340000000000000001', username: 'Aiko', global_name: 'Aiko' };

describe('Discord story robustness (fake Discord REST, fake story server)', () => {
  let discord: FakeDiscordRest;
  let api: FakeStoryApi;
  let jobs: JobTracker;
  let bot: DiscordBot;

  beforeEach(async () => {
    discord = await startFakeDiscordRest();
    jobs = new JobTracker();
    api = new FakeStoryApi({
      stories: [story],
      replies: [{ id: 'b', name: 'Tobin', text: 'Aye, the road is long and the night is cold.' }],
      openings: [],
      wordDelayMs: 15,
    });
    bot = createOfflineDiscordBot(
      {
        dreamloom: new FakeDreamloomClient(),
        logger: silentLogger,
        editIntervalMs: 0,
        jobs,
        story: new StoryHandler({ api, logger: silentLogger, editIntervalMs: 0, sessionCacheMs: 0 }),
      },
      discord,
    );
  });
  afterEach(async () => {
    await bot.stop();
    await discord.close();
  });

  /** `/story <sub>` as Discord sends it (subcommands nest their options). */
  async function storyCommand(sub: string, options: Record<string, string>, inChannel: string) {
    const raw = chatInputInteraction({
      appId: discord.appId,
      commandName: 'story',
      options,
      channelId: inChannel,
      user: member,
    }) as unknown as {
      id: string;
      token: string;
      channel: { id: string; type: number; parent_id?: string };
      data: { options: unknown[] };
    };
    raw.data.options = [
      { type: ApplicationCommandOptionType.Subcommand, name: sub, options: raw.data.options },
    ];
    if (inChannel !== channelId) {
      raw.channel.type = ChannelType.PublicThread;
      raw.channel.parent_id = channelId;
    }
    discord.registerInteraction(raw.token, inChannel);
    dispatchInteraction(bot.client, raw as never);
    await jobs.idle();
    return raw;
  }

  it('answers an unknown story privately; a real one is announced publicly; ending archives and locks the thread', async () => {
    const unknown = await storyCommand('start', { story: 'Nope' }, channelId);
    expect(discord.callsTo(`POST /interactions/:id/${unknown.token}/callback`)[0].body).toMatchObject({
      type: 5,
      data: { flags: EPHEMERAL },
    });
    expect(discord.original(unknown.token)).toMatchObject({
      content: 'No such story; `/story list` shows them.',
      flags: EPHEMERAL,
    });
    expect(discord.publicMessage(unknown.token)).toBeUndefined();
    expect(discord.threads()).toEqual([]);

    const started = await storyCommand('start', { story: 'Inn' }, channelId);
    const [thread] = discord.threads();
    expect(discord.original(started.token)?.flags).toBe(EPHEMERAL);
    expect(discord.publicMessage(started.token)?.content).toBe(
      `📖 **Inn** begins in <#${thread.id}>. Talk there; \`/story end\` stops it.`,
    );
    expect([thread.archived, thread.locked]).toEqual([undefined, undefined]);

    const ended = await storyCommand('end', {}, thread.id);
    expect(discord.original(ended.token)?.content).toBe('The story **Inn** has ended.');
    expect(discord.threads()[0]).toMatchObject({ id: thread.id, archived: true, locked: true });
    // The announcement comes before the lock, so it lands in the thread.
    const lock = discord.callsTo(`PATCH /channels/${thread.id}`)[0];
    // (The end is answered at once, in the interaction's own response.)
    const announce = discord.calls.find((c) => c.path.endsWith(`/${ended.token}/callback`))!;
    expect(lock.at).toBeGreaterThanOrEqual(announce.at);
  });

  it('hands the story the names members saw, never mention markup', async () => {
    await storyCommand('start', { story: 'Inn' }, channelId);
    const [thread] = discord.threads();
    await bot.handleStoryMessage({
      channelId: thread.id,
      inThread: true,
      content: 'Hey <@340000000000000002>, ask <@!340000000000000003> in <#350000000000000001> <:wave:1234>',
      author: { id: member.id, username: member.username, bot: false },
      mentionNames: { '340000000000000002': 'Ren', '350000000000000001': 'tavern' },
    });
    expect(api.turns.map((turn) => turn.content)).toEqual(['Hey @Ren, ask @someone in #tavern :wave:']);
    expect(resolveMentions('<@&77> and <@1>')).toBe('@role and @someone');
  });

  it('re-posts a reply whole through a recreated webhook when the webhook is deleted mid-stream', async () => {
    await storyCommand('start', { story: 'Inn' }, channelId);
    const [thread] = discord.threads();
    const turn = bot.handleStoryMessage({
      channelId: thread.id,
      inThread: true,
      content: 'Tell us about the road.',
      author: { id: member.id, username: member.username, bot: false },
    });
    // A moderator deletes the webhook while Tobin is still "typing".
    for (let i = 0; i < 200 && discord.webhookMessages(thread.id).length === 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    const [first] = discord.webhooks();
    discord.deleteWebhook(first.id);
    await turn;

    const [hook] = discord.webhooks();
    expect(hook.id).not.toBe(first.id);
    const messages = discord.webhookMessages(thread.id);
    // One message remains: the whole reply, from the new webhook; the stranded "…" was deleted.
    expect(messages.map((m) => [m.username, m.content, m.webhook_id])).toEqual([
      ['Tobin', `${replyLine(member.id)}\nAye, the road is long and the night is cold.`, hook.id],
    ]);
    expect(discord.callsTo(`DELETE /channels/${thread.id}/messages/:id`)).toHaveLength(1);
  });

  it('re-posts a regenerated reply with its ◀ ▶ controls when its message vanished at the last edit', async () => {
    await storyCommand('start', { story: 'Inn' }, channelId);
    const [thread] = discord.threads();
    await bot.handleStoryMessage({
      channelId: thread.id,
      inThread: true,
      content: 'Tell us about the road.',
      author: { id: member.id, username: member.username, bot: false },
    });
    const [stranded] = discord.webhookMessages(thread.id);
    // A moderator deletes the reply just as its new version is finished (the edit with the controls).
    discord.failNext(
      'PATCH /webhooks/:id/:token/messages/:id',
      { status: 404, code: 10008, message: 'Unknown Message' },
      (call) => ((call.body?.components as unknown[] | undefined) ?? []).length > 0,
    );

    await storyCommand('regenerate', {}, thread.id);

    const messages = discord.webhookMessages(thread.id);
    expect(messages).toHaveLength(1);
    expect(messages[0].id).not.toBe(stranded.id);
    expect(messages[0]).toMatchObject({ username: 'Tobin' });
    expect(messages[0].content).toContain('Aye, the road is long and the night is cold.');
    // The controls reach the new message as an edit (a webhook post carries no buttons).
    const controls = discord.callsTo(`PATCH /webhooks/:id/:token/messages/${messages[0].id}`).at(-1)?.body
      ?.components as Array<{ components: Array<{ label: string }> }> | undefined;
    expect(controls?.[0].components.map((b) => b.label)).toEqual(['◀', '2/2', '▶']);
  });
});
