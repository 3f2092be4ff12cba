import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadDeployConfig } from './config.js';

describe('loadConfig', () => {
  it('applies defaults and leaves bots without tokens switched off', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      apiUrl: 'http://127.0.0.1:8080',
      botApiToken: '',
      discord: undefined,
      telegram: undefined,
    });
  });

  it('switches on each bot whose token is set, treating empty values as unset', () => {
    const config = loadConfig({
      DREAMLOOM_API_URL: 'https://dreamloom.example/',
      BOT_API_TOKEN: 'bot-secret',
      DISCORD_TOKEN: 'discord-token',
      DISCORD_APP_ID: '123456789012345678',
      TELEGRAM_BOT_TOKEN: '',
      DISCORD_EDIT_INTERVAL_MS: '250',
    });
    expect(config.apiUrl).toBe('https://dreamloom.example');
    expect(config.discord).toEqual({
      token: 'discord-token',
      appId: '123456789012345678',
      guildId: undefined,
      editIntervalMs: 250,
    });
    expect(config.telegram).toBeUndefined();
  });

  it('uses a 3 s default edit interval for Telegram', () => {
    const config = loadConfig({ BOT_API_TOKEN: 'x', TELEGRAM_BOT_TOKEN: '1:abc' });
    expect(config.telegram).toEqual({ token: '1:abc', editIntervalMs: 3200 });
  });

  it('names the variable when a value is bad', () => {
    expect(() => loadConfig({ TELEGRAM_EDIT_INTERVAL_MS: 'soon' })).toThrow(ConfigError);
    expect(() => loadConfig({ TELEGRAM_EDIT_INTERVAL_MS: 'soon' })).toThrow(/TELEGRAM_EDIT_INTERVAL_MS/);
    expect(() => loadConfig({ DREAMLOOM_API_URL: 'not a url' })).toThrow(/DREAMLOOM_API_URL/);
    expect(() => loadConfig({ DISCORD_APP_ID: 'abc' })).toThrow(/DISCORD_APP_ID/);
  });

  it('requires BOT_API_TOKEN once a bot token is set', () => {
    expect(() => loadConfig({ DISCORD_TOKEN: 'd' })).toThrow(/BOT_API_TOKEN/);
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: 't' })).toThrow(/BOT_API_TOKEN/);
  });
});

describe('loadDeployConfig', () => {
  it('needs the Discord token and application id, but no Dreamloom credential', () => {
    expect(
      loadDeployConfig({ DISCORD_TOKEN: 't', DISCORD_APP_ID: '123456789012345678', DISCORD_GUILD_ID: '' }),
    ).toEqual({
      token: 't',
      appId: '123456789012345678',
      guildId: undefined,
    });
    expect(() => loadDeployConfig({ DISCORD_TOKEN: 't' })).toThrow(/DISCORD_APP_ID/);
  });
});
