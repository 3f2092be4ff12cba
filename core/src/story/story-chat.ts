import type { LlmService } from './llm/llm.service.js';
import type { AiModelRepository } from './llm/ai-model.repository.js';
import type { CharacterRepository } from './catalog/character.repository.js';
import type { StoryRepository } from './catalog/story.repository.js';
import type { CatalogTables } from './catalog/catalog-table.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventBus } from '../ports/event-bus.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import { ConversationMembership } from './access/conversation-membership.js';
import type { MembershipRepository } from './access/membership.repository.js';
import { ConversationGate } from './conversation-gate.js';
import { ConversationRetentionService } from './conversation-retention.service.js';
import { ConversationSummaries } from './conversation-summaries.js';
import type { ConversationRepository } from './conversation.repository.js';
import { ConversationService } from './conversation.service.js';
import { ConversationStore } from './conversation.store.js';
import { SpeakerChoice } from './speaker-choice.js';
import { StoryReplyService } from './story-reply.service.js';
import { StoryRowsCache } from './story-rows.cache.js';

export interface StoryChatDeps {
  /** Conversations and messages (the ConversationRepository port). */
  repository: ConversationRepository;
  stories: StoryRepository;
  characters: CharacterRepository;
  /** Story templates and staff posts (the plain catalogs' tables). */
  catalogTables: CatalogTables;
  /** The model catalog (the AiModelRepository port). */
  aiModels: AiModelRepository;
  llm: LlmService;
  events: EventBus;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  /** Default history window when neither the request nor the story says (25). */
  defaultHistoryLength?: number;
  /** How long stories, casts, templates, posts and model rows are cached (default 5000 ms; 0 = off). */
  cacheTtlMs?: number;
  /**
   * How long a conversation's state and latest messages read from the database are served from
   * memory (default 60 000 ms; 0 = off). Local writes update them at once, other nodes' replies
   * through the event bus; other nodes' edits show within this time.
   */
  conversationCacheTtlMs?: number;
  random?: () => number;
  /** Participants, invites and the bots' bound places (a bound place's players are participants). */
  members: MembershipRepository;
}

/** Contract 002's chat engine, shared by the HTTP API and the bots: one service per job. */
export interface StoryChat {
  /** Start, find, end, invite, join, history; a member's own lines, edits and swipes. */
  conversations: ConversationService;
  /** Turns and characters' replies (streamed, stored, regenerated, continued), summaries. */
  replies: StoryReplyService;
  /** Who answers a user's line: the rules, then a model when they leave it open. */
  speakers: SpeakerChoice;
  /** Deletes conversations nobody wrote to for the retention period (the worker's sweep). */
  retention: ConversationRetentionService;
  /** Participants, invites and bound places: the facts of conversation-access.ts. */
  membership: ConversationMembership;
}

/** Builds the chat services around one conversation store (its memory is shared by all of them). */
export function createStoryChat(deps: StoryChatDeps): StoryChat {
  const { repository, ids, clock, logger } = deps;
  const membership = new ConversationMembership({ members: deps.members, ids, clock });
  const rows = new StoryRowsCache(deps, deps.cacheTtlMs ?? 5000);
  const conversations = new ConversationStore({
    repository,
    events: deps.events,
    clock,
    logger,
    ttlMs: deps.cacheTtlMs === 0 ? 0 : (deps.conversationCacheTtlMs ?? 60_000),
  });
  const speakers = new SpeakerChoice({ models: deps.aiModels, llm: deps.llm, logger, random: deps.random });
  const gate = new ConversationGate({ conversations, membership, rows });
  const conversationService = new ConversationService({
    repository,
    conversations,
    gate,
    membership,
    rows,
    ids,
    clock,
  });
  const summaries: ConversationSummaries = new ConversationSummaries({
    repository,
    conversations,
    speakers,
    llm: deps.llm,
    logger,
    // The story's window (`replies` exists by the time a summary runs).
    historyLength: (loaded): number => replies.historyLength(loaded.setting),
  });
  const replies: StoryReplyService = new StoryReplyService({
    repository,
    conversations,
    gate,
    rows,
    speakers,
    summaries,
    lines: conversationService,
    llm: deps.llm,
    ids,
    defaultHistoryLength: deps.defaultHistoryLength,
  });
  const retention = new ConversationRetentionService({
    repository,
    membership,
    conversations,
    clock,
    logger,
  });
  return { conversations: conversationService, replies, speakers, retention, membership };
}
