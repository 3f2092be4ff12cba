import type { ChatMessageRecord } from './conversation.repository.js';

/** A stored chat message as the API, the bots and the room events show it. */
export interface ChatMessageView {
  id: string;
  content: string;
  character_id: string | null;
  character_name: string | null;
  is_opening: boolean;
  sequence: number;
  created_at: string;
  role: 'user' | 'assistant';
  author_user_id: string | null;
  author_name: string | null;
  swipes: string[];
}

export function messageView(row: ChatMessageRecord): ChatMessageView {
  return {
    id: row.id,
    content: row.content,
    character_id: row.character_id,
    character_name: row.character_name,
    is_opening: !!row.is_opening,
    sequence: row.sequence,
    created_at: new Date(row.created_at).toISOString(),
    role: row.role === 'user' ? 'user' : 'assistant',
    author_user_id: row.author_user_id,
    author_name: row.author_name,
    swipes: row.swipes ? (JSON.parse(row.swipes) as string[]) : [],
  };
}
