import { hashString, isRecord, pick, seededRandom } from './http-helpers.js';

export interface ChatContext {
  persona: string;
  /** Text of the latest user message. */
  lastUser: string;
  chinese: boolean;
  random: () => number;
}

/** Text of a message's `content`, whether a string or an array of content parts. */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
    .filter(Boolean)
    .join('\n');
}

const PERSONA_PATTERNS = [
  /\b[Yy]ou are (?:now )?(?:playing |role-?playing as |acting as )?(?:the character )?["“']?([A-Z][\p{L}'’-]*(?: [A-Z][\p{L}'’-]*)?)/u,
  /(?:^|\n)\s*(?:name|character)\s*[:：]\s*["“']?([^\n"”',.，。]{1,30})/i,
  /你(?:现在)?(?:是|扮演)[「“"']?([\p{Script=Han}A-Za-z]{1,8}?)(?:[」”"'，。,.！!\s]|$)/u,
  /(?:角色|名字|姓名)\s*[:：]\s*([^\n，。,]{1,20})/,
];

/** Who is speaking (from the system prompt) and what was said last, plus a seeded RNG. */
export function chatContext(messages: unknown[]): ChatContext {
  const texts = messages.filter(isRecord);
  const system = texts
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => messageText(m.content))
    .join('\n');
  const lastUser = messageText([...texts].reverse().find((m) => m.role === 'user')?.content ?? '');
  let persona: string | undefined;
  for (const pattern of PERSONA_PATTERNS) {
    persona = pattern.exec(system)?.[1]?.trim();
    if (persona) break;
  }
  const chinese = /[\p{Script=Han}]/u.test(lastUser || system);
  persona ??= chinese ? '旁白' : 'Narrator';
  const random = seededRandom(hashString(`${persona}\n${system}\n${lastUser}\n${texts.length}`));
  return { persona, lastUser, chinese, random };
}

const ACTIONS = [
  'tilts their head, considering your words',
  'laughs softly and leans closer',
  'glances out of the window before answering',
  'folds their arms with a thoughtful frown',
  'smiles, eyes bright with curiosity',
  'taps a finger against the table',
];
const OPENERS = ['Hmm,', 'Oh?', 'Well,', 'Ah,', 'Honestly,', 'You know,'];
const REACTIONS = [
  "that's not something I hear every day.",
  'I was wondering when you would bring that up.',
  'you always manage to surprise me.',
  "I'm not sure I should tell you, but I will.",
  'that reminds me of something that happened last spring.',
];
const FOLLOW_UPS = [
  'Tell me more — what made you think of it?',
  'Shall we find out together?',
  'But first, promise you will keep it a secret.',
  'What would you do in my place?',
  'Come on, the night is still young.',
];
const ACTIONS_ZH = [
  '歪了歪头，认真地想了想',
  '轻轻笑了一声，凑近了些',
  '望向窗外，沉默了片刻',
  '抱起双臂，若有所思',
  '眼睛一亮，露出好奇的神色',
];
const OPENERS_ZH = ['嗯……', '哦？', '这样啊，', '说起来，', '老实说，'];
const REACTIONS_ZH = [
  '这可不是每天都能听到的话。',
  '我正想着你什么时候会提起这个。',
  '你总是能让我感到意外。',
  '这让我想起了去年春天的一件事。',
];
const FOLLOW_UPS_ZH = [
  '再多说一点吧，你是怎么想到的？',
  '要不要我们一起去看看？',
  '不过你得答应我，要保密哦。',
  '如果你是我，你会怎么做？',
];

/** A short in-character reply that echoes the user's words, deterministic per conversation. */
export function composeReply(context: ChatContext): string {
  const { persona, random } = context;
  const echo = context.lastUser.replace(/\s+/g, ' ').trim();
  if (context.chinese) {
    const quoted = echo ? `「${[...echo].slice(0, 16).join('')}」` : '';
    return `*${persona}${pick(random, ACTIONS_ZH)}。*\n\n“${pick(random, OPENERS_ZH)}${quoted}${pick(random, REACTIONS_ZH)}${pick(random, FOLLOW_UPS_ZH)}”`;
  }
  const words = echo.split(' ').slice(0, 8).join(' ');
  const quoted = words ? ` '${words}${echo.split(' ').length > 8 ? '…' : ''}' —` : '';
  return `*${persona} ${pick(random, ACTIONS)}.*\n\n"${pick(random, OPENERS)}${quoted} ${pick(random, REACTIONS)} ${pick(random, FOLLOW_UPS)}"`;
}

/** Splits text into token-like pieces (words with their leading space, single CJK characters). */
export function tokenize(text: string): string[] {
  return text.match(/\s*[\p{Script=Han}]|\s*[^\s\p{Script=Han}]+|\s+$/gu) ?? [];
}
