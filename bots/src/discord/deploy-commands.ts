import { pathToFileURL } from 'node:url';
import { REST, Routes } from 'discord.js';
import { loadDeployConfig } from '../config.js';
import { commandData } from './commands/index.js';
import { withChinese } from './command-localizations.js';

export interface DeployCommandsOptions {
  token: string;
  appId: string;
  /** Register in one guild (updates instantly) instead of globally (can take up to an hour). */
  guildId?: string;
  /** Injected for tests; defaults to a REST client for discord.com. */
  rest?: REST;
}

/** Replaces the application's slash commands with the ones this package defines. */
export async function deployCommands(options: DeployCommandsOptions): Promise<{ count: number }> {
  const rest = options.rest ?? new REST();
  rest.setToken(options.token);
  const route = options.guildId
    ? Routes.applicationGuildCommands(options.appId, options.guildId)
    : Routes.applicationCommands(options.appId);
  // Each with its Chinese names and descriptions, shown to zh-CN clients.
  const body = commandData.map((c) => withChinese(c.toJSON()));
  const registered = (await rest.put(route, { body })) as unknown[];
  return { count: registered.length };
}

// Run as a script: `npm run deploy-commands -w bots`. Registration is a separate step from
// running the bot (as the discord.js guide advises) because it is rate-limited and rarely needed.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const config = loadDeployConfig();
    const { count } = await deployCommands(config);
    console.log(
      `Registered ${count} command(s) ${config.guildId ? `in guild ${config.guildId}` : 'globally'}`,
    );
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  }
}
