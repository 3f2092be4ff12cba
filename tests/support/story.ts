import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { api } from './clients.js';
import type { RunningSystem } from './system.js';

/** Logs a fresh wallet in through the real EIP-191 flow; returns its token and account. */
export async function walletLogin(
  system: RunningSystem,
  account = privateKeyToAccount(generatePrivateKey()),
) {
  const challenge = await api(system.baseUrl, 'POST', '/api/v1/auth/nonce', {
    body: { wallet_address: account.address },
  });
  const signature = await account.signMessage({ message: challenge.body.message });
  const login = await api(system.baseUrl, 'POST', '/api/v1/auth/login', {
    body: { wallet_address: account.address, signature },
  });
  if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  return {
    account,
    token: login.body.access_token as string,
    login: login.body,
    signature,
    challenge: challenge.body,
  };
}

export interface SseEvent {
  event: string;
  data: string;
}

/** Reads a whole SSE response into events. */
export async function readSse(response: Response): Promise<SseEvent[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice(7) ?? 'message';
      const data = lines
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n');
      return { event, data };
    });
}

export function postSse(
  system: RunningSystem,
  path: string,
  token: string,
  body: unknown,
  signal?: AbortSignal,
) {
  return fetch(`${system.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
}

/** Publishes a two-character story of the demo cast as the admin; returns its id and title. */
export async function publishDemoStory(system: RunningSystem, title: string, names = ['Mira', 'Tobin']) {
  const characters = await api(system.baseUrl, 'GET', '/api/v1/story-admin/characters?page=1&limit=50', {
    token: system.admin.token,
  });
  const ids = names.map(
    (name) => characters.body.items.find((c: { name: string }) => c.name === name).id as string,
  );
  const published = await api(system.baseUrl, 'POST', '/api/v1/story/publish', {
    token: system.admin.token,
    body: {
      story_name: title,
      template_content: 'Two travellers share a fire on a cold night.',
      characters: ids,
      opening_messages: [{ content: `${names[0]} stirs the fire.`, character: ids[0] }],
      settings: { config: { speaker_strategy: 'list', model: 'sandbox-chat' } },
      language: 'English',
    },
  });
  if (published.status !== 200) throw new Error(`publish failed: ${JSON.stringify(published.body)}`);
  return { id: published.body.id as string, title, characterIds: ids };
}
