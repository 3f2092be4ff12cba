import { AppError, NotFoundError, ValidationError, isAppError } from '../errors.js';
import { isStaff, type Actor } from '../identity/actor.js';
import { castDetail } from './access/character-access.js';
import { StoryIntroWriter } from './story-intro.writer.js';
import { PLATFORMS, type Platform } from '../identity/identity.service.js';
import type { Clock } from '../ports/clock.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { ChatMessageView } from './chat-message.view.js';
import type { ConversationService } from './conversation.service.js';
import type { ConversationRepository } from './conversation.repository.js';
import type { StoryRepository } from './catalog/story.repository.js';
import {
  PlaceTakenError,
  type StoryChatBindingRecord,
  type StoryChatBindingRepository,
} from './story-chat-binding.repository.js';

/** The story a place plays, as the bots show it (same fields as the published list's items). */
export interface BoundStoryView {
  id: string;
  title: string;
  intro: string;
  characterDetails: Array<{
    id: string;
    name: string;
    description: string;
    image_url: string;
    icon_url: string;
    character_type: string;
  }>;
}

export interface StoryChatBindingView {
  id: string;
  platform: string;
  channel: string;
  parent_channel: string | null;
  conversation_id: string;
  story_id: string;
  /** The user id of who started it. */
  started_by: string;
  status: 'active' | 'ended';
  created_at: string;
  ended_at: string | null;
  story: BoundStoryView;
}

interface Deps {
  bindings: StoryChatBindingRepository;
  /** A bound conversation's status (read as stored: another node or retention may have ended it). */
  conversationRows: Pick<ConversationRepository, 'conversation'>;
  stories: Pick<StoryRepository, 'byId'>;
  /** Starting and ending the bound conversation, with the chat engine's access rules. */
  conversations: Pick<ConversationService, 'createConversation' | 'endConversation' | 'history' | 'loadCast'>;
  ids: IdGenerator;
  clock: Clock;
}

/** Discord snowflakes, Telegram `<chat id>:<topic id>` (chat ids are negative for groups). */
const CHANNEL = /^[A-Za-z0-9:_-]{1,128}$/;
const PARENT = /^[A-Za-z0-9_-]{1,64}$/;

function checkPlace(platform: string, channel: string): Platform {
  if (!PLATFORMS.includes(platform as Platform)) throw new ValidationError(`Unknown platform ${platform}`);
  if (!CHANNEL.test(channel))
    throw new ValidationError('channel: 1-128 characters of letters, digits, ":", "_" or "-"');
  return platform as Platform;
}

/**
 * Which conversation a Discord thread or a Telegram chat (or forum topic) plays. The bots keep
 * no session of their own: a restarted bot, or several bot processes, read the same binding.
 * A place holds at most one active binding (a unique index, so two bots racing to start a story
 * in one place cannot both win); ending it ends the conversation too.
 */
export class StoryChatBindingService {
  constructor(private readonly deps: Deps) {}

  /** The active binding of a place, or null. A binding whose conversation ended elsewhere (the
   * HTTP API, retention) is closed here, so the place is free again. */
  async find(actor: Actor, platform: string, channel: string): Promise<StoryChatBindingView | null> {
    checkPlace(platform, channel);
    const row = await this.active(platform, channel);
    if (!row) return null;
    const conversation = await this.deps.conversationRows.conversation(row.conversation_id);
    if (!conversation || conversation.status !== 'active') {
      await this.close(row, null);
      return null;
    }
    try {
      return await this.view(actor, row);
    } catch (error) {
      // The story was deleted under a running conversation: nothing is left to play.
      if (!(isAppError(error) && error.code === 'NOT_FOUND')) throw error;
      await this.close(row, null);
      return null;
    }
  }

  /**
   * Starts a conversation of `storyId` (the actor needs access to the story) and binds the place
   * to it; returns the binding and the opening messages. Refused with 409 while the place plays.
   */
  async bind(
    actor: Actor,
    input: { platform: string; channel: string; parentChannel?: string | null; storyId: string },
  ): Promise<{ binding: StoryChatBindingView; openings: ChatMessageView[] }> {
    const platform = checkPlace(input.platform, input.channel);
    if (input.parentChannel && !PARENT.test(input.parentChannel))
      throw new ValidationError('parent_channel: 1-64 characters of letters, digits, "_" or "-"');
    const running = await this.find(actor, platform, input.channel);
    if (running) throw this.busy(running.story.title);
    const { conversation } = await this.deps.conversations.createConversation(actor, {
      storyId: input.storyId,
    });
    let row: StoryChatBindingRecord;
    try {
      row = await this.deps.bindings.insert({
        id: this.deps.ids.snowflake(),
        platform,
        channel: input.channel,
        active_channel: input.channel,
        parent_channel: input.parentChannel ?? null,
        conversation_id: conversation.id,
        story_id: conversation.story_id,
        started_by: actor.id,
        created_at: this.deps.clock.now(),
      });
    } catch (error) {
      if (!(error instanceof PlaceTakenError)) throw error;
      // Another bot process bound the place between our check and our insert: it wins, and the
      // conversation we opened for nothing is closed so it never shows up as a running story.
      await this.deps.conversations.endConversation(actor, conversation.id);
      const winner = await this.active(platform, input.channel);
      throw this.busy(winner ? (await this.storyView(actor, winner.story_id)).title : '');
    }
    const openings = await this.deps.conversations.history(actor, conversation.id);
    return { binding: await this.view(actor, row), openings };
  }

  /**
   * Ends the place's story: the conversation (with the chat engine's access rules: whoever plays
   * the place is a participant), then the binding. Everyone in the place plays, but only who
   * started the story, staff, or a moderator of the place may end it: one member must not stop a
   * scene the others are in. `placeModerator` is the bot's word (Discord Manage Threads, a Telegram
   * chat admin), vouched for by the bot credential as the member's identity and place are.
   */
  async end(
    actor: Actor,
    platform: string,
    channel: string,
    options: { placeModerator?: boolean } = {},
  ): Promise<StoryChatBindingView> {
    checkPlace(platform, channel);
    const row = await this.active(platform, channel);
    if (!row) throw new AppError('NO_STORY', 'No story runs here', { status: 404 });
    if (row.started_by !== actor.id && !isStaff(actor) && !options.placeModerator)
      throw new AppError(
        'NOT_STORY_STARTER',
        'Only the member who started this story, or staff, can end it',
        {
          status: 403,
        },
      );
    try {
      await this.deps.conversations.endConversation(
        { ...actor, place: { platform, channel } },
        row.conversation_id,
      );
    } catch (error) {
      // Already gone (retention): the binding still has to close; refusals propagate.
      if (!(isAppError(error) && error.code === 'NOT_FOUND')) throw error;
    }
    await this.close(row, actor.id);
    return this.view(actor, row);
  }

  private active(platform: string, channel: string): Promise<StoryChatBindingRecord | null> {
    return this.deps.bindings.active(platform, channel);
  }

  /**
   * Conditional, so two processes ending one binding at once both succeed without a double write.
   * `endedBy` is null when the binding closes because its conversation or story went away.
   */
  private async close(row: StoryChatBindingRecord, endedBy: string | null): Promise<void> {
    const endedAt = this.deps.clock.now();
    await this.deps.bindings.endIfActive(row.id, row.channel, { ended_at: endedAt, ended_by: endedBy });
    // The view answered after ending shows it ended.
    Object.assign(row, { active_channel: null, ended_at: endedAt, ended_by: endedBy });
  }

  private busy(title: string): AppError {
    return new AppError(
      'STORY_RUNNING',
      title ? `A story already runs here: ${title}` : 'A story already runs here',
      { status: 409 },
    );
  }

  /** The bound story as `actor` may see it: a private cast member shows its public card only. */
  private async storyView(actor: Actor, storyId: string): Promise<BoundStoryView> {
    const story = await this.deps.stories.byId(storyId);
    if (!story) throw new NotFoundError('Story');
    const cast = await this.deps.conversations.loadCast(story);
    return {
      id: story.id,
      title: story.title,
      intro: StoryIntroWriter.introOf(story),
      characterDetails: cast.map((c) => castDetail(actor, c)),
    };
  }

  private async view(actor: Actor, row: StoryChatBindingRecord): Promise<StoryChatBindingView> {
    return {
      id: row.id,
      platform: row.platform,
      channel: row.channel,
      parent_channel: row.parent_channel,
      conversation_id: row.conversation_id,
      story_id: row.story_id,
      started_by: row.started_by,
      status: row.active_channel ? 'active' : 'ended',
      created_at: new Date(row.created_at).toISOString(),
      ended_at: row.ended_at ? new Date(row.ended_at).toISOString() : null,
      story: await this.storyView(actor, row.story_id),
    };
  }
}
