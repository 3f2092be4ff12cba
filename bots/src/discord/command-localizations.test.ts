import { REST } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDiscordRest, type FakeDiscordRest } from '../testing/fake-discord-rest.js';
import { deployCommands } from './deploy-commands.js';

interface Localized {
  name: string;
  description: string;
  name_localizations?: Record<string, string>;
  description_localizations?: Record<string, string>;
  options?: Localized[];
}

/** Discord's rule for command and option names (localized ones too). */
const NAME = /^[-_\p{L}\p{N}]{1,32}$/u;

/** Every command, subcommand and option, with its path ("story start story"). */
function everyEntry(entries: Localized[], path: string[] = []): Array<[string, Localized]> {
  return entries.flatMap((entry) => [
    [[...path, entry.name].join(' '), entry] as [string, Localized],
    ...everyEntry(entry.options ?? [], [...path, entry.name]),
  ]);
}

describe('Discord commands in Chinese (deploy-commands against a fake REST API)', () => {
  let discord: FakeDiscordRest;
  beforeEach(async () => {
    discord = await startFakeDiscordRest();
  });
  afterEach(async () => {
    await discord.close();
  });

  it('registers a zh-CN name and description for every command, subcommand and option', async () => {
    const rest = new REST({ api: discord.api });
    await deployCommands({ token: 'deploy-token', appId: discord.appId, rest });
    const [put] = discord.callsTo(`PUT /applications/${discord.appId}/commands`);
    const commands = put.body as unknown as Localized[];
    const entries = everyEntry(commands);
    expect(entries.length).toBeGreaterThan(25);
    const missing = entries
      .filter(([, e]) => !e.name_localizations?.['zh-CN'] || !e.description_localizations?.['zh-CN'])
      .map(([path]) => path);
    expect(missing).toEqual([]);
    for (const [path, entry] of entries) {
      expect(entry.name_localizations!['zh-CN'], path).toMatch(NAME);
      expect(entry.description_localizations!['zh-CN'].length, path).toBeLessThanOrEqual(100);
    }
    const byPath = new Map(entries);
    expect(byPath.get('imagine')).toMatchObject({
      name: 'imagine',
      name_localizations: { 'zh-CN': '画图' },
      description_localizations: { 'zh-CN': '根据提示词生成动漫图片' },
    });
    expect(byPath.get('imagine prompt')?.name_localizations).toEqual({ 'zh-CN': '提示词' });
    expect(byPath.get('story start story')?.description_localizations).toEqual({
      'zh-CN': '故事编号、ID 或标题',
    });
    // Names stay unique within each command in Chinese too (Discord refuses duplicates).
    for (const command of commands) {
      const names = (command.options ?? []).map((o) => o.name_localizations?.['zh-CN']);
      expect(new Set(names).size, command.name).toBe(names.length);
    }
  });
});
