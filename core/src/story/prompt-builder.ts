import type { ChatMessageParam } from '../ports/chat-provider.port.js';

export interface PersonaInput {
  name: string;
  description: string;
  personality: string;
  background: string;
  isNarrator: boolean;
}

export interface HistoryLine {
  role: 'user' | 'assistant';
  /** The character who said it (assistant) or the human's display name (user). */
  speaker: string;
  characterId: string | null;
  content: string;
}

export interface PromptInput {
  character: PersonaInput & { id: string };
  castNames: string[];
  storyTitle?: string;
  storyBackground?: string;
  characterBackground?: string;
  templateContent?: string | null;
  hiddenPrompt?: string | null;
  systemPosts: string[];
  language?: string | null;
  summary?: string | null;
  /** Already cut to the window (history_length). */
  history: HistoryLine[];
  /** `continue`: extend the character's last reply instead of writing a new one. */
  continuation?: string;
}

function section(title: string, body: string | null | undefined): string | null {
  const trimmed = body?.trim();
  return trimmed ? `## ${title}\n${trimmed}` : null;
}

/**
 * One character's turn: a system prompt (setting, template, staff posts, persona, language,
 * running summary) and the history window. The character's own lines are `assistant`; everyone
 * else's are `user` lines prefixed with the speaker's name, so a group chat reads naturally.
 */
export function buildCharacterPrompt(input: PromptInput): ChatMessageParam[] {
  const { character } = input;
  const role = character.isNarrator
    ? `You are the narrator of this story. Describe scenes, actions and consequences in the third person; never speak for the humans.`
    : `You are ${character.name}, one character in a group story chat with ${input.castNames
        .filter((name) => name !== character.name)
        .join(', ')} and the human participants. Speak only as ${character.name}.`;
  const system = [
    role,
    section('Story', [input.storyTitle, input.storyBackground].filter(Boolean).join('\n')),
    section('Current situation', input.characterBackground),
    section('Story template', input.templateContent),
    section('Instructions', input.hiddenPrompt),
    ...input.systemPosts.map((post) => section('Guideline', post)),
    section(
      `${character.name}`,
      [
        character.description && `Description: ${character.description}`,
        character.personality && `Personality: ${character.personality}`,
        character.background && `Background: ${character.background}`,
      ]
        .filter(Boolean)
        .join('\n'),
    ),
    input.language ? `Always answer in ${input.language}.` : null,
    section('Summary of earlier events', input.summary),
    `Write only ${character.name}'s next message, without a name prefix.`,
  ]
    .filter((part): part is string => !!part)
    .join('\n\n');

  const messages: ChatMessageParam[] = [{ role: 'system', content: system }];
  for (const line of input.history) {
    if (line.role === 'assistant' && line.characterId === character.id)
      messages.push({ role: 'assistant', content: line.content });
    else messages.push({ role: 'user', content: `${line.speaker}: ${line.content}` });
  }
  if (input.continuation !== undefined) {
    messages.push({ role: 'assistant', content: input.continuation });
    messages.push({
      role: 'user',
      content: `(Continue ${character.name}'s last message from where it stopped.)`,
    });
  }
  return messages;
}

/** Asks for a running summary that folds `dropped` lines into the previous summary. */
export function buildSummaryPrompt(previous: string | null, dropped: HistoryLine[], maxWords: number) {
  const transcript = dropped.map((line) => `${line.speaker}: ${line.content}`).join('\n');
  return [
    {
      role: 'system' as const,
      content: `You keep a running summary of a group story chat. Reply with the updated summary only, at most ${maxWords} words.`,
    },
    {
      role: 'user' as const,
      content: `${previous ? `Summary so far:\n${previous}\n\n` : ''}New events:\n${transcript}`,
    },
  ];
}

/** Asks the LLM which cast members should speak next (structured output). */
export function buildPickerPrompt(castNames: string[], history: HistoryLine[], userMessage: string) {
  const transcript = history
    .slice(-10)
    .map((line) => `${line.speaker}: ${line.content}`)
    .join('\n');
  return [
    {
      role: 'system' as const,
      content: `You direct a group story chat. Choose who answers the last message, from exactly these names: ${castNames.join(
        ', ',
      )}. Reply with JSON {"speakers": [names in speaking order]}.`,
    },
    { role: 'user' as const, content: `${transcript}\nUser: ${userMessage}` },
  ];
}
