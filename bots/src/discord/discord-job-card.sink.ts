import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  DiscordAPIError,
  EmbedBuilder,
  Routes,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type RESTPostAPIChannelMessageJSONBody,
} from 'discord.js';
import type { JobCardSink, JobImage } from '../shared/imagine.handler.js';
import { jobActionId, jobButtonLabel, parseJobActionId } from '../shared/job-actions.js';
import type { JobCard } from '../shared/job-card.js';
import type { JobPhase } from '../shared/job-state.js';
import type { Logger } from '../shared/logger.js';
import type { Refusal } from '../shared/refusals.js';
import { composeImageGrid } from './image-grid.js';
import { originalsButton } from './originals-button.js';

/** Interaction tokens live 15 minutes; switch to channel messages a minute early so the final upload still fits. */
export const INTERACTION_TOKEN_BUDGET_MS = 14 * 60_000;

const colors: Record<JobPhase, number> = {
  submitting: 0x99aab5,
  pending: 0xf1c40f,
  processing: 0x5865f2,
  completed: 0x57f287,
  failed: 0xed4245,
  cancelled: 0x99aab5,
};

export interface DiscordJobCardSinkOptions {
  logger: Logger;
  /** Epoch ms after which the interaction token is not used any more. Default: created + 14 min. */
  tokenDeadline?: number;
  /** Clock, injectable for tests. */
  now?: () => number;
  /** The private line above the public card (default: "Your /imagine job has started…"). */
  startedText?: string;
}

interface CardMessage {
  embeds: EmbedBuilder[];
  /** Always sent, so buttons that no longer apply (cancel on a finished card) go away. */
  components: ActionRowBuilder<ButtonBuilder>[];
  files?: JobImage[];
}

/**
 * The job card of an interaction that was deferred **ephemerally** (`/imagine`, `/video`, a card
 * button): a refusal replaces the private "thinking…" and nothing public is ever posted; once the
 * server accepted the job, the private reply says so and the card is posted as a public follow-up,
 * then edited in place. Once the interaction token is about to expire (or Discord says it has),
 * the card continues as an ordinary channel message posted and edited with the bot token.
 */
export class DiscordJobCardSink implements JobCardSink {
  readonly place: string;
  private readonly tokenDeadline: number;
  private readonly now: () => number;
  /** The public card, a follow-up message of the interaction. */
  private cardMessageId: string | undefined;
  private channelMessageId: string | undefined;
  private viaChannel = false;

  constructor(
    /** The slash command, or the reroll button press whose reply is the new card. */
    private readonly interaction: ChatInputCommandInteraction | ButtonInteraction,
    private readonly options: DiscordJobCardSinkOptions,
  ) {
    this.tokenDeadline = options.tokenDeadline ?? interaction.createdTimestamp + INTERACTION_TOKEN_BUDGET_MS;
    this.now = options.now ?? Date.now;
    this.place = `discord:${interaction.channelId}`;
  }

  update(card: JobCard): Promise<void> {
    return this.show({ embeds: [toEmbed(card)], components: toComponents(card) });
  }

  async complete(card: JobCard, images: JobImage[]): Promise<void> {
    const grid = await this.gridOf(images);
    if (grid && card.taskId) {
      // One grid whose quadrants are the V1…V4 / U1…U4 buttons; the full-size files a click away.
      const embed = toEmbed(card, grid.filename).addFields({
        name: 'Grid',
        value: gridOrderText(images.length),
        inline: false,
      });
      return this.show({
        embeds: [embed],
        components: withOriginalsButton(
          toComponents(card),
          originalsButton(card.taskId, this.interaction.user.id),
        ),
        files: [grid],
      });
    }
    // An embed can only preview images; a video is shown by Discord's own attachment player.
    const preview = images[0]?.contentType.startsWith('image/') ? images[0].filename : undefined;
    return this.show({ embeds: [toEmbed(card, preview)], components: toComponents(card), files: images });
  }

  /** Several images become one grid; undefined for one file, videos, or images that cannot be read. */
  private async gridOf(images: JobImage[]): Promise<JobImage | undefined> {
    if (images.length < 2 || !images.every((image) => image.contentType.startsWith('image/')))
      return undefined;
    try {
      const grid = await composeImageGrid(images.map((image) => image.bytes));
      return { bytes: grid.bytes, filename: grid.filename, contentType: grid.contentType };
    } catch (error) {
      // Still deliver: the images loose are better than none.
      this.options.logger.warn('Image grid failed; attaching the images one by one', { error });
      return undefined;
    }
  }

  fail(card: JobCard): Promise<void> {
    return this.show({ embeds: [toEmbed(card)], components: toComponents(card) });
  }

  async reject(refusal: Refusal): Promise<void> {
    // The deferral was ephemeral, so this edit is seen by the member alone.
    await this.interaction.editReply({ content: `❌ ${refusal.message}`, embeds: [], components: [] });
  }

  private async show(message: CardMessage): Promise<void> {
    if (!this.viaChannel && this.now() < this.tokenDeadline) {
      const payload = {
        embeds: message.embeds,
        components: message.components,
        files: message.files?.map((f) => new AttachmentBuilder(Buffer.from(f.bytes), { name: f.filename })),
      };
      try {
        if (this.cardMessageId === undefined) {
          // The private reply first: a follow-up sent while the ephemeral "thinking…" still shows
          // would take its place (and be ephemeral); after this edit it is a message of its own.
          await this.interaction.editReply({
            content:
              this.options.startedText ?? `✅ Your ${this.jobName()} job has started; its card is below.`,
          });
          const posted = await this.interaction.followUp(payload);
          this.cardMessageId = posted.id;
        } else {
          await this.interaction.editReply({ ...payload, message: this.cardMessageId });
        }
        return;
      } catch (err) {
        if (!isExpiredToken(err)) throw err;
        this.options.logger.warn('Interaction token expired; continuing the card as a channel message', {
          interactionId: this.interaction.id,
        });
      }
    }
    this.viaChannel = true;
    await this.showInChannel(message);
  }

  private async showInChannel(message: CardMessage): Promise<void> {
    const { channelId, client, user } = this.interaction;
    if (!channelId) throw new Error('The interaction has no channel to continue the job card in');
    const files = message.files?.map((f) => ({
      name: f.filename,
      data: Buffer.from(f.bytes),
      contentType: f.contentType,
    }));
    const body: RESTPostAPIChannelMessageJSONBody = {
      embeds: message.embeds.map((e) => e.toJSON()),
      components: message.components.map((row) => row.toJSON()),
      ...(files ? { attachments: files.map((f, id) => ({ id, filename: f.name })) } : {}),
    };
    if (this.channelMessageId) {
      await client.rest.patch(Routes.channelMessage(channelId, this.channelMessageId), { body, files });
      return;
    }
    const created = (await client.rest.post(Routes.channelMessages(channelId), {
      body: {
        ...body,
        content: `<@${user.id}> your ${this.jobName()} job continues here.`,
        allowed_mentions: { users: [user.id] },
      },
      files,
    })) as { id: string };
    this.channelMessageId = created.id;
  }

  /** `/imagine`, `/video`, or the card button (reroll, variation, upscale) that started the job. */
  private jobName(): string {
    if (this.interaction.isChatInputCommand()) return `/${this.interaction.commandName}`;
    return parseJobActionId(this.interaction.customId)?.action ?? 'reroll';
  }
}

/** Where each image of a batch sits in the grid, as the buttons number them. */
export function gridOrderText(count: number): string {
  if (count === 2) return '1 left · 2 right';
  const places = ['top left', 'top right', 'bottom left', 'bottom right'];
  return places
    .slice(0, count)
    .map((place, index) => `${index + 1} ${place}`)
    .join(' · ');
}

/** The Originals button joins the Reroll row, or leads a row of its own above V1…V4 and U1…U4. */
function withOriginalsButton(
  rows: ActionRowBuilder<ButtonBuilder>[],
  button: ButtonBuilder,
): ActionRowBuilder<ButtonBuilder>[] {
  const [first, ...rest] = rows;
  const firstId = (first?.components[0]?.data as { custom_id?: string } | undefined)?.custom_id;
  if (first && firstId?.startsWith('dl:reroll:'))
    return [new ActionRowBuilder<ButtonBuilder>().addComponents(...first.components, button), ...rest];
  return [new ActionRowBuilder<ButtonBuilder>().addComponents(button), ...rows];
}

/** 50027 Invalid Webhook Token; 401 on a webhook route means the same. */
function isExpiredToken(err: unknown): boolean {
  return err instanceof DiscordAPIError && (err.code === 50027 || err.status === 401);
}

/** The card's button rows (none when the card offers nothing); at most 3 rows of 5, within Discord's 5×5. */
export function toComponents(card: JobCard): ActionRowBuilder<ButtonBuilder>[] {
  const { taskId } = card;
  if (!taskId) return [];
  const images = Math.max(0, ...card.actions.flat().map((b) => (b.imageIndex ?? -1) + 1));
  return card.actions
    .filter((row) => row.length > 0)
    .map((row) =>
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        row.map((button) =>
          new ButtonBuilder()
            .setCustomId(jobActionId(button, taskId))
            .setLabel(jobButtonLabel(button, images))
            .setStyle(
              button.action === 'cancel'
                ? ButtonStyle.Danger
                : button.action === 'reroll'
                  ? ButtonStyle.Secondary
                  : ButtonStyle.Primary,
            ),
        ),
      ),
    );
}

export function toEmbed(card: JobCard, imageName?: string): EmbedBuilder {
  const [prompt, ...rest] = card.fields;
  const embed = new EmbedBuilder()
    .setTitle(card.title)
    .setColor(colors[card.phase])
    .setDescription(prompt?.value ?? null)
    .addFields(rest.map((f) => ({ name: f.name, value: f.value, inline: f.name !== 'Error' })));
  if (card.footer) embed.setFooter({ text: card.footer });
  if (imageName) embed.setImage(`attachment://${imageName}`);
  return embed;
}
