/**
 * Speaker selection, SillyTavern-style, as pure functions: mentions win, then the story's
 * strategy. The LLM is consulted only when the rules leave the choice open (see `selectByRules`).
 */
export const SPEAKER_STRATEGIES = ['natural', 'list', 'pooled', 'manual'] as const;
export type SpeakerStrategy = (typeof SPEAKER_STRATEGIES)[number];

export interface CastMember {
  id: string;
  name: string;
  /** 0..1, natural strategy's chance to speak. */
  talkativeness: number;
  isNarrator: boolean;
}

/** The part of the history selection needs: who spoke, in order. */
export interface SpokenTurn {
  role: 'user' | 'assistant';
  characterId: string | null;
}

export interface SelectionInput {
  cast: CastMember[];
  history: SpokenTurn[];
  userMessage: string;
  strategy: SpeakerStrategy;
  allowSelfResponses?: boolean;
  /** Random source in [0,1); injectable for tests. */
  random?: () => number;
}

export interface SelectionResult {
  speakers: CastMember[];
  /** How the choice was made. */
  reason: 'mention' | 'narrator' | 'natural' | 'list' | 'pooled' | 'manual' | 'open';
  /** True when the rules could not decide: the caller may ask the LLM, else use `speakers`. */
  open: boolean;
}

const NARRATOR_ALIASES = ['narrator', '旁白', 'narration'];

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether `name` is mentioned in `text`: whole word for Latin names, substring for CJK names. */
export function mentions(text: string, name: string): number {
  const trimmed = name.trim();
  if (!trimmed) return -1;
  if (/^[\p{Script=Latin}\d\s'_-]+$/u.test(trimmed)) {
    const match = new RegExp(`(^|[^\\p{L}\\p{N}])@?${escapeRegExp(trimmed)}(?=$|[^\\p{L}\\p{N}])`, 'iu').exec(
      text,
    );
    return match ? match.index + match[1].length : -1;
  }
  return text.indexOf(trimmed);
}

/** Characters named in the message, in the order they are named. */
export function mentionedMembers(cast: CastMember[], text: string): CastMember[] {
  return cast
    .map((member) => {
      const names = member.isNarrator ? [member.name, ...NARRATOR_ALIASES] : [member.name];
      const positions = names.map((name) => mentions(text, name)).filter((index) => index >= 0);
      return { member, at: positions.length ? Math.min(...positions) : -1 };
    })
    .filter((entry) => entry.at >= 0)
    .sort((a, b) => a.at - b.at)
    .map((entry) => entry.member);
}

/** An action or scene direction (`*she opens the door*`, `(later that night)`) calls the narrator. */
export function isSceneDirection(text: string): boolean {
  const trimmed = text.trim();
  return /^\*[^*]+\*$/.test(trimmed) || /^[(（][^)）]+[)）]$/.test(trimmed);
}

/**
 * Asking for the surroundings to be described ("描述一下周围的环境", "describe the room", "look
 * around") is narration: the narrator's job, not a character's. Needs a describing verb and a
 * place word together, so "描述一下你自己" or "describe your sword" stay with the characters.
 */
const NARRATION_REQUESTS = [
  /(描述|描写|形容|介绍|说说|讲讲|看看|看一下|看一看|观察|环顾|打量)[^。！？!?]{0,12}(周围|四周|周遭|环境|场景|周边|附近|景色|景象|房间|屋子|这里|此处|眼前)/u,
  /(周围|四周|周遭|环境|场景|周边|附近|景色|景象)[^。！？!?]{0,6}(是什么样|怎么样|如何|有什么)/u,
  /\b(describe|narrate|depict)\b[^.!?]{0,40}\b(surroundings|environment|scene|scenery|room|area|place|setting|around|here)\b/iu,
  /\b(look|looks|looking|glance|glances)\s+around\b/iu,
  /\bwhat\s+do\s+(i|we)\s+see\b/iu,
];

export function asksForNarration(text: string): boolean {
  return NARRATION_REQUESTS.some((pattern) => pattern.test(text));
}

function lastSpeaker(history: SpokenTurn[]): string | null {
  const last = history[history.length - 1];
  return last && last.role === 'assistant' ? last.characterId : null;
}

/** Characters who have spoken since the last user message. */
function spokenSinceUser(history: SpokenTurn[]): Set<string> {
  const spoken = new Set<string>();
  for (let index = history.length - 1; index >= 0; index -= 1) {
    const turn = history[index];
    if (turn.role === 'user') break;
    if (turn.characterId) spoken.add(turn.characterId);
  }
  return spoken;
}

export function selectByRules(input: SelectionInput): SelectionResult {
  const random = input.random ?? Math.random;
  const characters = input.cast.filter((member) => !member.isNarrator);
  const narrator = input.cast.find((member) => member.isNarrator);

  const mentioned = mentionedMembers(input.cast, input.userMessage);
  if (mentioned.length) return { speakers: mentioned, reason: 'mention', open: false };
  // The narrator's own rules: it answers scene directions and requests to describe the
  // surroundings, and otherwise only when named.
  if (narrator && (isSceneDirection(input.userMessage) || asksForNarration(input.userMessage)))
    return { speakers: [narrator], reason: 'narrator', open: false };
  if (!characters.length) return { speakers: narrator ? [narrator] : [], reason: 'narrator', open: false };

  const previous = lastSpeaker(input.history);
  const eligible =
    input.allowSelfResponses || characters.length === 1
      ? characters
      : characters.filter((member) => member.id !== previous);

  switch (input.strategy) {
    case 'manual':
      return { speakers: [], reason: 'manual', open: false };
    case 'list':
      return { speakers: characters, reason: 'list', open: false };
    case 'pooled': {
      const spoken = spokenSinceUser(input.history);
      const pool = eligible.filter((member) => !spoken.has(member.id));
      const from = pool.length ? pool : eligible;
      return { speakers: [from[Math.floor(random() * from.length)]], reason: 'pooled', open: false };
    }
    case 'natural':
    default: {
      // Each character rolls against its talkativeness, in list order, like SillyTavern.
      const chosen = eligible.filter((member) => member.talkativeness > 0 && random() < member.talkativeness);
      if (chosen.length) return { speakers: chosen, reason: 'natural', open: false };
      // Nobody volunteered: the rules leave it open. The fallback is one random eligible character.
      return {
        speakers: [eligible[Math.floor(random() * eligible.length)]],
        reason: 'open',
        open: true,
      };
    }
  }
}

/**
 * Validates an LLM's pick against the cast. Returns null when the answer is malformed, empty, or
 * names anyone not in the cast (an invented name discards the whole answer).
 */
export function validateLlmPick(cast: CastMember[], answer: unknown): CastMember[] | null {
  let value = answer;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  const speakers = (value as { speakers?: unknown })?.speakers;
  if (!Array.isArray(speakers) || speakers.length === 0) return null;
  const picked: CastMember[] = [];
  for (const name of speakers) {
    if (typeof name !== 'string') return null;
    const member = cast.find(
      (candidate) => candidate.name.trim().toLowerCase() === name.trim().toLowerCase(),
    );
    if (!member) return null;
    if (!picked.includes(member)) picked.push(member);
  }
  return picked;
}

/** JSON schema for the LLM picker (strict structured output with names from the cast only). */
export function pickerSchema(cast: CastMember[]) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['speakers'],
    properties: {
      speakers: {
        type: 'array',
        minItems: 1,
        maxItems: Math.max(1, cast.length),
        items: { type: 'string', enum: cast.map((member) => member.name) },
      },
    },
  };
}
