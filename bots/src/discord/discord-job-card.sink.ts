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

  complete(card: JobCard, images: JobImage[]): Promise<void> {
    // An embed can only preview images; a video is shown by Discord's own attachment player.
    const preview = images[0]?.contentType.startsWith('image/') ? images[0].filename : undefined;
    return this.show({ embeds: [toEmbed(card, preview)], components: toComponents(card), files: images });
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
            content: `✅ Your ${this.jobName()} job has started; its card is below.`,
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
