import {
  ChannelType,
  MessageFlags,
  PermissionFlagsBits,
  Routes,
  SlashCommandBuilder,
  escapeMarkdown,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type REST,
} from 'discord.js';
import { DreamloomApiError, type PlatformUser } from '../../shared/dreamloom-client.js';
import type { Logger } from '../../shared/logger.js';
import { storyListText } from '../../shared/story-list.js';
import type { StoryHandler } from '../../shared/story.handler.js';
import type { DiscordCommand } from '../discord-command.js';
import { DiscordWebhookSurface, editStoryMessage, type WebhookDirectory } from '../story-webhooks.js';
import { parseSwipeCustomId, replyTargetOf, storyContent } from '../story-markdown.js';
import { resolveMentions } from '../resolve-mentions.js';
import { closeStoryThread } from '../story-thread.js';

/** The `/story` definition (list, start, regenerate, end). */
export const storyCommandData = new SlashCommandBuilder()
  .setName('story')
  .setDescription('Play a multi-character story')
  .addSubcommand((sub) =>
    sub.setName('list').setDescription('List the published stories, with their intro and cast'),
  )
  .addSubcommand((sub) =>
    sub
      .setName('start')
      .setDescription('Start a story in a new thread')
      .addStringOption((o) =>
        o.setName('story').setDescription('Story number, id or title').setRequired(true).setMaxLength(200),
      ),
  )
  .addSubcommand((sub) => sub.setName('regenerate').setDescription('Write the last reply again'))
  .addSubcommand((sub) =>
    sub.setName('end').setDescription('End the story of this thread (who started it, or staff)'),
  );

export interface StoryCommandDeps {
  handler: StoryHandler;
  directory: WebhookDirectory;
  rest: REST;
  logger: Logger;
}

const userOf = (interaction: ChatInputCommandInteraction): PlatformUser => ({
  platform: 'discord',
  id: interaction.user.id,
  username: interaction.user.globalName ?? interaction.user.username,
});

/** `/story …`: a story runs in its own thread; characters speak through the channel's webhook. */
export function createStoryCommand(deps: StoryCommandDeps): DiscordCommand {
  return {
    data: storyCommandData,
    async execute(interaction) {
      const sub = interaction.options.getSubcommand();
      const user = userOf(interaction);
      if (sub === 'list') {
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        const stories = await deps.handler.list(user);
        await interaction.editReply(
          storyListText(stories, {
            maxLength: 2000,
            title: (title) => `**${title}**`,
            escape: (text) => escapeMarkdown(text),
            startCommand: '`/story start`',
          }),
        );
        return;
      }
      if (sub === 'start') {
        // Privately first: a story that does not exist is the member's business alone; the
        // channel hears about a story once it has begun.
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        const story = await deps.handler.find(user, interaction.options.getString('story', true));
        if (!story) {
          await interaction.editReply('No such story; `/story list` shows them.');
          return;
        }
        const channelId = interaction.channelId;
        const thread = (await deps.rest.post(Routes.threads(channelId), {
          body: {
            name: story.title.slice(0, 100),
            type: ChannelType.PublicThread,
            auto_archive_duration: 1440,
          },
        })) as { id: string };
        await interaction.editReply(`✅ Started in <#${thread.id}>.`);
        await interaction.followUp(
          `📖 **${story.title}** begins in <#${thread.id}>. Talk there; \`/story end\` stops it.`,
        );
        // The parent is kept with the binding: the webhook that speaks in the thread is the
        // parent's, and a restarted bot has no other way to know it.
        await deps.handler.start(
          user,
          thread.id,
          story,
          new DiscordWebhookSurface(deps.rest, deps.directory, channelId, thread.id),
          { parentChannel: channelId },
        );
        return;
      }
      const place = interaction.channelId;
      const session = await deps.handler.session(user, place);
      if (!session) {
        await interaction.reply({ content: 'No story runs here.', flags: MessageFlags.Ephemeral });
        return;
      }
      if (sub === 'end') {
        // Asked before answering (one quick request): a member who may not end the story is told
        // privately, and only an actual end is announced in the thread.
        let ended;
        try {
          // Members who may manage the channel's threads moderate its stories.
          const moderator = interaction.memberPermissions?.has(PermissionFlagsBits.ManageThreads) ?? false;
          ended = await deps.handler.end(user, place, { moderator });
        } catch (error) {
          if (!(error instanceof DreamloomApiError && error.expose)) throw error;
          await interaction.reply({ content: `❌ ${error.message}`, flags: MessageFlags.Ephemeral });
          return;
        }
        await interaction.reply(
          ended ? `The story **${ended.story.title}** has ended.` : 'No story runs here any more.',
        );
        if (ended) await closeStoryThread(deps.rest, place, deps.logger);
        return;
      }
      // regenerate
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const parent = session.parentChannel ?? place;
      await deps.handler.regenerate(
        user,
        place,
        new DiscordWebhookSurface(deps.rest, deps.directory, parent, place),
      );
      await interaction.editReply('Regenerated.');
    },
  };
}

/** A message in a thread with a running story (the gateway's MESSAGE_CREATE, reduced). */
export interface StoryThreadMessage {
  channelId: string;
  /** False for messages outside threads, where no story runs (spares the server a lookup). */
  inThread?: boolean;
  content: string;
  author: { id: string; username: string; bot: boolean };
  webhookId?: string | null;
  /** Names of the members, roles and channels the message mentions, by id (as the member saw them). */
  mentionNames?: Record<string, string>;
}

/** Members talk in the story thread; the characters answer. Bots and webhooks are ignored. */
export async function handleStoryThreadMessage(deps: StoryCommandDeps, message: StoryThreadMessage) {
  if (message.author.bot || message.webhookId || !message.content.trim()) return;
  if (message.inThread === false) return;
  const user: PlatformUser = {
    platform: 'discord',
    id: message.author.id,
    username: message.author.username,
  };
  const session = await deps.handler.session(user, message.channelId);
  if (!session?.parentChannel) return;
  const parent = session.parentChannel;
  await deps.handler.say(
    user,
    message.channelId,
    resolveMentions(message.content, message.mentionNames),
    // Webhook messages cannot be Discord replies; the answers name the member who spoke instead.
    new DiscordWebhookSurface(deps.rest, deps.directory, parent, message.channelId, message.author.id),
  );
}

/**
 * ◀ ▶ under a regenerated reply: the pressed message shows the chosen version, which becomes the
 * reply the story goes on from (for every member of the thread, as a regenerate is). A refusal
 * (the story ended, the version is gone) is the presser's alone.
 */
export async function handleStorySwipe(
  deps: StoryCommandDeps,
  interaction: ButtonInteraction,
): Promise<void> {
  const press = parseSwipeCustomId(interaction.customId);
  if (!press) return;
  await interaction.deferUpdate();
  const user: PlatformUser = {
    platform: 'discord',
    id: interaction.user.id,
    username: interaction.user.globalName ?? interaction.user.username,
  };
  const place = interaction.channelId;
  const outcome = await deps.handler.swipe(user, place, press.messageId, press.index);
  if ('refused' in outcome) {
    await interaction.followUp({ content: `❌ ${outcome.refused}`, flags: MessageFlags.Ephemeral });
    return;
  }
  const session = await deps.handler.session(user, place);
  await editStoryMessage(deps.rest, deps.directory, session?.parentChannel ?? place, {
    threadId: place,
    messageId: interaction.message.id,
    content: storyContent(outcome.content, replyTargetOf(interaction.message.content)),
    swipes: outcome.controls,
  });
}
