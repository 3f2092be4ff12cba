import { randomBytes } from 'node:crypto';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  ClientApplication,
  ComponentType,
  InteractionType,
  SnowflakeUtil,
  type APIApplicationCommandAutocompleteGuildInteraction,
  type APIChatInputApplicationCommandGuildInteraction,
  type APIMessageComponentButtonInteraction,
  type Client,
} from 'discord.js';
import { createDiscordBot, type DiscordBot, type DiscordBotDeps } from '../discord/create-discord-bot.js';

/**
 * Readies a discord.js client for use without a gateway connection: a token for REST calls and
 * the application that READY would normally provide (interactions look it up on construction).
 */
export function prepareOfflineClient(client: Client, options: { appId: string; token?: string }): void {
  client.rest.setToken(options.token ?? 'offline-test-token');
  // The constructor is private in the typings; READY calls it with the same raw data.
  const Application = ClientApplication as unknown as new (
    client: Client,
    data: unknown,
  ) => ClientApplication;
  (client as { application: ClientApplication | null }).application = new Application(client, {
    id: options.appId,
    name: 'Dreamloom',
    icon: null,
    description: '',
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: '',
    flags: 0,
  });
}

/**
 * A Discord bot whose REST calls go to a fake Discord API (`startFakeDiscordRest`), readied
 * without a gateway connection: interactions are then fed with `dispatchInteraction`.
 */
export function createOfflineDiscordBot(
  deps: DiscordBotDeps,
  discord: { api: string; appId: string },
): DiscordBot {
  const bot = createDiscordBot(deps, { rest: { api: discord.api } });
  prepareOfflineClient(bot.client, { appId: discord.appId });
  return bot;
}

/**
 * Feeds a raw interaction through discord.js exactly as the gateway's INTERACTION_CREATE
 * would: the client builds the interaction object and emits `interactionCreate`.
 */
export function dispatchInteraction(
  client: Client,
  raw:
    | APIChatInputApplicationCommandGuildInteraction
    | APIMessageComponentButtonInteraction
    | APIApplicationCommandAutocompleteGuildInteraction,
): void {
  const actions = (client as unknown as { actions: { InteractionCreate: { handle(data: unknown): void } } })
    .actions;
  actions.InteractionCreate.handle(raw);
}

export interface ChatInputOptions {
  appId: string;
  commandName: string;
  options?: Record<string, string | number | boolean>;
  /** Attachment options by name, as uploaded with the command (resolved by Discord). */
  attachments?: Record<string, { url: string; filename: string; contentType: string }>;
  user?: { id: string; username: string; global_name?: string | null };
  channelId?: string;
  guildId?: string;
  id?: string;
  token?: string;
  /** The member's Discord client language (`locale`), default `en-US`. */
  locale?: string;
}

/** A guild slash-command interaction payload as Discord sends it (API v10). */
export function chatInputInteraction(o: ChatInputOptions): APIChatInputApplicationCommandGuildInteraction {
  const user = {
    id: o.user?.id ?? '300000000000000001',
    username: o.user?.username ?? 'mika',
    global_name: o.user?.global_name ?? null,
    discriminator: '0',
    avatar: null,
  };
  const guildId = o.guildId ?? '400000000000000001';
  const channelId = o.channelId ?? '500000000000000001';
  const options = Object.entries(o.options ?? {}).map(([name, value]) => ({
    name,
    value,
    type:
      typeof value === 'string'
        ? ApplicationCommandOptionType.String
        : typeof value === 'boolean'
          ? ApplicationCommandOptionType.Boolean
          : Number.isInteger(value)
            ? ApplicationCommandOptionType.Integer
            : ApplicationCommandOptionType.Number,
  }));
  const attachments = Object.entries(o.attachments ?? {}).map(([name, a], i) => ({
    name,
    id: `70000000000000000${i}`,
    attachment: {
      id: `70000000000000000${i}`,
      filename: a.filename,
      url: a.url,
      proxy_url: a.url,
      content_type: a.contentType,
      size: 1000,
    },
  }));
  for (const a of attachments) {
    options.push({ name: a.name, value: a.id, type: ApplicationCommandOptionType.Attachment });
  }
  return {
    // Interaction ids are snowflakes of the moment they were created; the token's lifetime derives from it.
    id: o.id ?? SnowflakeUtil.generate().toString(),
    application_id: o.appId,
    type: InteractionType.ApplicationCommand,
    token: o.token ?? `itok-${randomBytes(12).toString('hex')}`,
    version: 1,
    guild_id: guildId,
    channel_id: channelId,
    channel: { id: channelId, type: ChannelType.GuildText, name: 'general' },
    member: {
      user,
      roles: [],
      permissions: '2248473465835073',
      joined_at: new Date(0).toISOString(),
      deaf: false,
      mute: false,
      flags: 0,
    },
    app_permissions: '2248473465835073',
    locale: o.locale ?? 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { 0: guildId },
    context: 0,
    attachment_size_limit: 26_214_400,
    data: {
      id: '600000000000000001',
      name: o.commandName,
      type: ApplicationCommandType.ChatInput,
      options,
      ...(attachments.length
        ? { resolved: { attachments: Object.fromEntries(attachments.map((a) => [a.id, a.attachment])) } }
        : {}),
    },
  } as unknown as APIChatInputApplicationCommandGuildInteraction;
}

export interface ButtonPressOptions {
  appId: string;
  customId: string;
  /** The message the button belongs to (the job card). */
  messageId?: string;
  user?: { id: string; username: string; global_name?: string | null };
  channelId?: string;
  guildId?: string;
}

/** A guild button press on a bot message, as Discord sends it (API v10). */
export function buttonInteraction(o: ButtonPressOptions): APIMessageComponentButtonInteraction {
  const base = chatInputInteraction({ ...o, commandName: 'unused' }) as unknown as Record<string, unknown>;
  const channelId = o.channelId ?? '500000000000000001';
  return {
    ...base,
    type: InteractionType.MessageComponent,
    message: {
      id: o.messageId ?? SnowflakeUtil.generate().toString(),
      channel_id: channelId,
      author: { id: o.appId, username: 'Dreamloom', discriminator: '0', avatar: null, bot: true },
      content: '',
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      components: [],
      pinned: false,
      type: 0,
      flags: 0,
    },
    data: { custom_id: o.customId, component_type: ComponentType.Button },
  } as unknown as APIMessageComponentButtonInteraction;
}

/**
 * The gateway's APPLICATION_COMMAND_AUTOCOMPLETE while a member types `focused`: the options
 * filled in so far, the focused one flagged (its value is the text typed, always a string).
 */
export function autocompleteInteraction(
  o: ChatInputOptions & { focused: string },
): APIApplicationCommandAutocompleteGuildInteraction {
  const base = chatInputInteraction(o) as unknown as {
    data: { options: Array<{ name: string; value: unknown; type: number; focused?: boolean }> };
  };
  const options = base.data.options.map((option) =>
    option.name === o.focused ? { ...option, value: String(option.value), focused: true } : option,
  );
  if (!options.some((option) => option.focused))
    options.push({ name: o.focused, value: '', type: ApplicationCommandOptionType.String, focused: true });
  return {
    ...base,
    type: InteractionType.ApplicationCommandAutocomplete,
    data: { ...base.data, options },
  } as unknown as APIApplicationCommandAutocompleteGuildInteraction;
}
