import type { HistoryLine } from './prompt-builder.js';
import type { CastMember } from './speaker-selector.js';

/** A history line as the contract's stateless endpoints send it. */
export interface ContractHistoryMessage {
  role: string;
  content: string;
  character_name?: string;
}

/**
 * The stateless endpoints' history as prompt lines: speakers are matched to the cast by name
 * (the contract sends no ids), a `narrator` line to the cast's narrator.
 */
export function contractHistory(messages: ContractHistoryMessage[], cast: CastMember[]): HistoryLine[] {
  return messages.map((message) => {
    const member = message.character_name
      ? cast.find((candidate) => candidate.name === message.character_name)
      : message.role === 'narrator'
        ? cast.find((candidate) => candidate.isNarrator)
        : undefined;
    const isUser = message.role === 'user';
    return {
      role: isUser ? 'user' : 'assistant',
      speaker: isUser ? 'User' : (message.character_name ?? member?.name ?? 'Narrator'),
      characterId: isUser ? null : (member?.id ?? message.character_name ?? message.role),
      content: message.content,
    };
  });
}
