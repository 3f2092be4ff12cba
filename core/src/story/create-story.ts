import type { AppConfig } from '../config.js';
import type { MediaAssetRepository } from '../media/media-asset.repository.js';
import type { StoryChatBindingRepository } from './story-chat-binding.repository.js';
import type { ChatProvider } from '../ports/chat-provider.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { EphemeralStore } from '../ports/ephemeral-store.port.js';
import type { EventBus } from '../ports/event-bus.port.js';
import type { BlobStorage } from '../ports/blob-storage.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import type { SecretBox } from '../shared/secret-box.js';
import type { IdentityService } from '../identity/identity.service.js';
import type { GenerationService } from '../generation/generation.service.js';
import { LlmService } from './llm/llm.service.js';
import type { AiModelRepository } from './llm/ai-model.repository.js';
import { CatalogService } from './catalog/catalog.service.js';
import { Catalogs } from './catalog/catalog-crud.js';
import type { CatalogTables } from './catalog/catalog-table.port.js';
import type { CharacterRepository } from './catalog/character.repository.js';
import type { StoryRepository } from './catalog/story.repository.js';
import type { IdentityRepository } from '../identity/identity.repository.js';
import { createStoryChat } from './story-chat.js';
import type { ConversationService } from './conversation.service.js';
import type { StoryReplyService } from './story-reply.service.js';
import type { SpeakerChoice } from './speaker-choice.js';
import type { ConversationRetentionService } from './conversation-retention.service.js';
import type { ConversationRepository } from './conversation.repository.js';
import type { MembershipRepository } from './access/membership.repository.js';
import type { PawSessionRepository } from './paw-session.repository.js';
import { WalletAuthService } from './wallet-auth.service.js';
import { StoryMediaService } from './story-media.service.js';
import { StoryChatBindingService } from './story-chat-binding.service.js';
import { StoryIntroWriter } from './story-intro.writer.js';
import type { AuditLog } from '../audit/audit-log.js';

/** Contract 002's part of the core: one object so the composition root grows by one line. */
export interface StoryCore {
  chatProvider: ChatProvider;
  store: EphemeralStore;
  llm: LlmService;
  /** Characters and stories (their access rules are their own). */
  catalog: CatalogService;
  /** The declared catalogs' use cases: `catalogs.of(languages).list(...)` (catalog/catalogs/). */
  catalogs: Catalogs;
  /** Writes published stories' intros, at publish time or in the background later. */
  intro: StoryIntroWriter;
  /** Conversations: start, find, end, invite, join, history; members' lines, edits and swipes. */
  conversations: ConversationService;
  /** Characters' replies: turns, streamed replies, regenerate and continue, summaries. */
  replies: StoryReplyService;
  /** Who answers (the contract's `select-speakers` too). */
  speakers: SpeakerChoice;
  /** Deletes conversations older than STORY_HISTORY_RETENTION_DAYS. */
  retention: ConversationRetentionService;
  wallet: WalletAuthService;
  media: StoryMediaService;
  /** Which conversation a Discord thread or Telegram chat plays (the bots keep no sessions). */
  bindings: StoryChatBindingService;
  /** Starts the hourly cleanup of conversations older than STORY_HISTORY_RETENTION_DAYS (worker). */
  startRetention(intervalMs?: number): void;
  stopRetention(): void;
}

/** Everything contract 002 needs; the adapters among them are built by createCore. */
export interface StoryDeps {
  config: AppConfig;
  /** Media rows of story uploads, music and avatar icons. */
  mediaAssets: MediaAssetRepository;
  /** Users and identities (the published list's creators). */
  users: IdentityRepository;
  characters: CharacterRepository;
  stories: StoryRepository;
  /** Which conversation each bot place plays. */
  bindings: StoryChatBindingRepository;
  /** Conversations and messages. */
  conversations: ConversationRepository;
  /** Participants, invites and bound places. */
  members: MembershipRepository;
  /** Wallet logins' live tokens. */
  pawSessions: PawSessionRepository;
  /** The AI model catalog as calls and chats read it. */
  aiModels: AiModelRepository;
  /** The plain catalogs' tables (catalog/catalogs/). */
  catalogTables: CatalogTables;
  /** The upstream LLM. */
  chatProvider: ChatProvider;
  /** Rate-limit windows and wallet login nonces. */
  store: EphemeralStore;
  events: EventBus;
  storage: BlobStorage;
  secrets: SecretBox;
  identity: IdentityService;
  generation: GenerationService;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
}

export function createStory(deps: StoryDeps): StoryCore {
  const { config, chatProvider, store } = deps;
  const llm = new LlmService({
    models: deps.aiModels,
    provider: chatProvider,
    secrets: deps.secrets,
    clock: deps.clock,
    logger: deps.logger,
  });
  const intro = new StoryIntroWriter({
    stories: deps.stories,
    characters: deps.characters,
    catalogTables: deps.catalogTables,
    aiModels: deps.aiModels,
    llm,
    logger: deps.logger,
  });
  const catalog = new CatalogService({
    characters: deps.characters,
    stories: deps.stories,
    catalogTables: deps.catalogTables,
    conversations: deps.conversations,
    llm,
    users: deps.users,
    ids: deps.ids,
    clock: deps.clock,
    intro,
    audit: deps.audit,
  });
  const catalogs = new Catalogs({
    tables: deps.catalogTables,
    ids: deps.ids,
    clock: deps.clock,
    secrets: deps.secrets,
    audit: deps.audit,
  });
  const chat = createStoryChat({
    repository: deps.conversations,
    stories: deps.stories,
    characters: deps.characters,
    catalogTables: deps.catalogTables,
    aiModels: deps.aiModels,
    members: deps.members,
    llm,
    events: deps.events,
    ids: deps.ids,
    clock: deps.clock,
    logger: deps.logger,
  });
  const wallet = new WalletAuthService({
    sessions: deps.pawSessions,
    identity: deps.identity,
    store,
    secrets: deps.secrets,
    clock: deps.clock,
    tokenTtlHours: config.STORY_TOKEN_TTL_HOURS,
  });
  const media = new StoryMediaService({
    catalogTables: deps.catalogTables,
    mediaAssets: deps.mediaAssets,
    storage: deps.storage,
    generation: deps.generation,
    llm,
    ids: deps.ids,
    clock: deps.clock,
    publicUrl: config.PUBLIC_URL,
    maxUploadBytes: config.STORY_UPLOAD_MAX_BYTES,
  });
  const bindings = new StoryChatBindingService({
    bindings: deps.bindings,
    conversationRows: deps.conversations,
    stories: deps.stories,
    conversations: chat.conversations,
    ids: deps.ids,
    clock: deps.clock,
  });
  return {
    chatProvider,
    store,
    llm,
    catalog,
    catalogs,
    intro,
    conversations: chat.conversations,
    replies: chat.replies,
    speakers: chat.speakers,
    retention: chat.retention,
    wallet,
    media,
    bindings,
    startRetention(intervalMs = 3_600_000) {
      chat.retention.start(config.STORY_HISTORY_RETENTION_DAYS, intervalMs);
    },
    stopRetention() {
      chat.retention.stop();
    },
  };
}
