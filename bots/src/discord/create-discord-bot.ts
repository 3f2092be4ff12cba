import {
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type ClientOptions,
  type Interaction,
} from 'discord.js';
import { DreamloomApiError, type DreamloomClient } from '../shared/dreamloom-client.js';
import {
  cancelJob,
  parseJobActionId,
  runStartedGeneration,
  startGenerationAction,
} from '../shared/job-actions.js';
import type { ImagineDeps } from '../shared/imagine.handler.js';
import { JobTracker } from '../shared/job-tracker.js';
import { refusalFor } from '../shared/refusals.js';
import { PlaceEditBudget } from '../shared/place-edit-budget.js';
import { DiscordJobCardSink } from './discord-job-card.sink.js';
import type { Logger } from '../shared/logger.js';
import { createCommands } from './commands/index.js';
import type { DiscordCommand } from './discord-command.js';
import type { StoryHandler } from '../shared/story.handler.js';
import {
  createStoryCommand,
  handleStorySwipe,
  handleStoryThreadMessage,
  type StoryCommandDeps,
  type StoryThreadMessage,
} from './commands/story.command.js';
import { WebhookDirectory } from './story-webhooks.js';
import { answerOriginals, parseOriginalsButtonId } from './originals-button.js';

export interface DiscordBotDeps {
  dreamloom: DreamloomClient;
  logger: Logger;
  /** Minimum time between two job card messages or edits in one channel, shared by its cards. */
  editIntervalMs: number;
  /** Where running interactions are tracked; pass one to wait for them (shutdown, tests). */
  jobs?: JobTracker;
  /** See {@link ImagineDeps.jobTimeoutMs}. */
  jobTimeoutMs?: number;
  /** Replaces the default command set (tests). */
  commands?: DiscordCommand[];
  /** Story play (`/story`, members talking in story threads); needs the Message Content intent. */
  story?: StoryHandler;
}

export interface DiscordBot {
  client: Client;
  commands: ReadonlyMap<string, DiscordCommand>;
  /** Routes one interaction to its command under the error boundary. Independent of the gateway. */
  handleInteraction(interaction: Interaction): Promise<void>;
  /** Routes a message of a story thread (MESSAGE_CREATE) to the story; exposed for tests. */
  handleStoryMessage(message: StoryThreadMessage): Promise<void>;
  /** Logs in to the gateway. */
  start(token: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds the Discord bot: a discord.js client whose interactions are routed to
 * `{data, execute}` commands, with one error boundary that answers privately.
 * `clientOptions` pass through (tests point `rest.api` at a fake).
 */
export function createDiscordBot(
  deps: DiscordBotDeps,
  clientOptions: Partial<ClientOptions> = {},
): DiscordBot {
  // Slash commands arrive as interactions; no privileged intents are needed.
  const client = new Client({
    // Story threads are conversations: the bot reads members' messages there (privileged intent).
    intents: deps.story
      ? [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent]
      : [GatewayIntentBits.Guilds],
    ...clientOptions,
  });
  const jobs = deps.jobs ?? new JobTracker();
  const jobDeps: ImagineDeps = {
    dreamloom: deps.dreamloom,
    logger: deps.logger,
    editIntervalMs: deps.editIntervalMs,
    // discord.js waits out 429s by itself; the budget keeps a busy channel below them.
    edits: new PlaceEditBudget({
      intervalMs: deps.editIntervalMs,
      onError: (error) => deps.logger.warn('Job card update failed', { error }),
    }),
    jobTimeoutMs: deps.jobTimeoutMs,
  };
  const commandList = deps.commands ?? createCommands({ imagine: jobDeps });
  const storyDeps: StoryCommandDeps | undefined = deps.story && {
    handler: deps.story,
    directory: new WebhookDirectory(client.rest, deps.logger),
    rest: client.rest,
    logger: deps.logger,
  };
  if (storyDeps && !deps.commands) commandList.push(createStoryCommand(storyDeps));
  const commands = new Map(commandList.map((c) => [c.data.name, c]));

  async function handleStoryMessage(message: StoryThreadMessage): Promise<void> {
    if (!storyDeps) return;
    try {
      await handleStoryThreadMessage(storyDeps, message);
    } catch (err) {
      deps.logger.error('Story turn failed', { channelId: message.channelId, error: err });
    }
  }

  /**
   * The job card buttons: cancel (the member's own running job), and reroll, variation and
   * upscale, which the server starts from the generation's stored parameters (so a restarted or
   * different bot process handles them too); the new job's card is the reply to the press.
   */
  async function handleJobButton(interaction: ButtonInteraction): Promise<void> {
    const originals = parseOriginalsButtonId(interaction.customId);
    if (originals) {
      await answerOriginals(interaction, deps, originals);
      return;
    }
    const parsed = parseJobActionId(interaction.customId);
    if (!parsed) return;
    const user = {
      platform: 'discord' as const,
      id: interaction.user.id,
      username: interaction.user.globalName ?? interaction.user.username,
    };
    if (parsed.action === 'cancel') {
      // Acknowledge without a public message; the card itself turns into "Cancelled", and the
      // presser alone reads the outcome and the refund.
      await interaction.deferUpdate();
      const answer = await cancelJob(jobDeps, user, parsed.taskId);
      await interaction.followUp({
        content: `${answer.cancelled ? '🚫' : '❌'} ${answer.text}`,
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    // The answer window is 3 seconds; the server call may take longer on a busy node. Deferred
    // privately, so a refusal leaves nothing public behind.
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const sink = new DiscordJobCardSink(interaction, { logger: deps.logger });
    const outcome = await startGenerationAction(jobDeps, user, { ...parsed, action: parsed.action });
    if ('refused' in outcome) {
      await sink.reject(outcome.refused);
      return;
    }
    await runStartedGeneration(jobDeps, user, outcome.started, sink, {
      press: parsed,
      requestedBy: `<@${interaction.user.id}>`,
    });
  }

  async function handleInteraction(interaction: Interaction): Promise<void> {
    // ◀ ▶ under a story reply (`st:` ids); job card buttons are `dl:`.
    if (interaction.isButton() && storyDeps && interaction.customId.startsWith('st:')) {
      try {
        await handleStorySwipe(storyDeps, interaction);
      } catch (err) {
        deps.logger.error('Story swipe failed', { customId: interaction.customId, error: err });
        await replyPrivately(interaction, '❌ Sorry, something went wrong. Please try again later.');
      }
      return;
    }
    if (interaction.isButton()) {
      try {
        await handleJobButton(interaction);
      } catch (err) {
        deps.logger.error('Discord button failed', { customId: interaction.customId, error: err });
        await replyPrivately(interaction, '❌ Sorry, something went wrong. Please try again later.');
      }
      return;
    }
    if (interaction.isAutocomplete()) {
      try {
        await commands.get(interaction.commandName)?.autocomplete?.(interaction);
      } catch (err) {
        // Suggestions expire in 3 s; a late or failed one leaves the member typing freely.
        deps.logger.warn('Discord autocomplete failed', { command: interaction.commandName, error: err });
      }
      return;
    }
    if (!interaction.isChatInputCommand()) return;
    const command = commands.get(interaction.commandName);
    if (!command) {
      deps.logger.warn('Unknown command; is the deployed command list stale?', {
        command: interaction.commandName,
      });
      await replyPrivately(interaction, 'This command is not available any more.');
      return;
    }
    try {
      await command.execute(interaction);
    } catch (err) {
      deps.logger.error('Discord command failed', {
        command: interaction.commandName,
        interactionId: interaction.id,
        error: err,
      });
      const message =
        err instanceof DreamloomApiError
          ? refusalFor(err).message
          : 'Sorry, something went wrong. Please try again later.';
      await replyPrivately(interaction, `❌ ${message}`);
    }
  }

  async function replyPrivately(
    interaction: ChatInputCommandInteraction | ButtonInteraction,
    content: string,
  ): Promise<void> {
    try {
      if (interaction.deferred || interaction.replied) {
        await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
      } else {
        await interaction.reply({ content, flags: MessageFlags.Ephemeral });
      }
    } catch (err) {
      // Usually an expired token; nothing else can reach the user.
      deps.logger.warn('Could not tell the user about an error', {
        interactionId: interaction.id,
        error: err,
      });
    }
  }

  client.on(Events.InteractionCreate, (interaction) => jobs.track(handleInteraction(interaction)));
  if (storyDeps) {
    client.on(Events.MessageCreate, (message) =>
      jobs.track(
        handleStoryMessage({
          channelId: message.channelId,
          inThread: message.channel.isThread(),
          content: message.content,
          author: {
            id: message.author.id,
            username: message.author.globalName ?? message.author.username,
            bot: message.author.bot,
          },
          webhookId: message.webhookId,
          mentionNames: Object.fromEntries([
            ...message.mentions.users.map((u) => [
              u.id,
              message.mentions.members?.get(u.id)?.displayName ?? u.globalName ?? u.username,
            ]),
            ...message.mentions.roles.map((role) => [role.id, role.name]),
            ...message.mentions.channels.map((channel) => [
              channel.id,
              'name' in channel && channel.name ? channel.name : 'channel',
            ]),
          ]),
        }),
      ),
    );
  }
  client.once(Events.ClientReady, (ready) => deps.logger.info('Discord bot ready', { user: ready.user.tag }));
  client.on(Events.Error, (error) => deps.logger.error('Discord client error', { error }));

  return {
    client,
    commands,
    handleInteraction,
    handleStoryMessage,
    async start(token) {
      await client.login(token);
    },
    async stop() {
      await client.destroy();
    },
  };
}
