import { z } from 'zod';

/** Thrown when the environment does not describe a runnable bots process; the message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

// Empty strings come from `.env` lines like `DISCORD_TOKEN=`; treat them as unset so an
// empty line means "this bot is off" rather than "invalid token".
const optionalText = z.preprocess((v) => (v === '' ? undefined : v), z.string().trim().min(1).optional());
const intervalMs = (fallback: number) =>
  z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce.number().int('must be a whole number of milliseconds').min(0).max(600_000).default(fallback),
  );

const envSchema = z
  .object({
    DREAMLOOM_API_URL: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8080'),
    ),
    BOT_API_TOKEN: optionalText,
    DISCORD_TOKEN: optionalText,
    DISCORD_APP_ID: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .regex(/^\d{15,22}$/, 'must be a Discord application id (a snowflake)')
        .optional(),
    ),
    DISCORD_GUILD_ID: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .regex(/^\d{15,22}$/, 'must be a Discord guild id (a snowflake)')
        .optional(),
    ),
    TELEGRAM_BOT_TOKEN: optionalText,
    // Telegram allows ~20 messages a minute in a group; exactly 3000 ms met the limit with no room
    // for upload jitter and drew 429s in bench:bots, so a little under it.
    TELEGRAM_EDIT_INTERVAL_MS: intervalMs(3200),
    /** A self-hosted Bot API server (github.com/tdlib/telegram-bot-api) instead of api.telegram.org. */
    TELEGRAM_API_ROOT: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.url({ protocol: /^https?$/ }).optional(),
    ),
    DISCORD_EDIT_INTERVAL_MS: intervalMs(1000),
    /** Probe port: GET /health and GET /metrics (Prometheus). Unset: none. */
    BOTS_HEALTH_PORT: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.coerce.number().int().min(0).max(65535).optional(),
    ),
    /** Where the probe port listens; 0.0.0.0 so an orchestrator's probes reach it. */
    BOTS_HEALTH_HOST: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).default('0.0.0.0')),
    /** Bearer token asked of scrapers of /metrics (the same as the server's METRICS_TOKEN). */
    METRICS_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16).optional()),
  })
  .superRefine((env, ctx) => {
    // The bot credential is only needed once some platform bot is switched on.
    if ((env.DISCORD_TOKEN || env.TELEGRAM_BOT_TOKEN) && !env.BOT_API_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['BOT_API_TOKEN'],
        message: 'is required when DISCORD_TOKEN or TELEGRAM_BOT_TOKEN is set',
      });
    }
  });

export interface BotsConfig {
  /** Base URL of the Dreamloom server (HTTP API and socket.io). Default `http://127.0.0.1:8080`. */
  apiUrl: string;
  /** Bot credential sent as `Authorization: Bot <token>`; empty only when no bot is configured. */
  botApiToken: string;
  /** Present when DISCORD_TOKEN is set. */
  discord?: {
    token: string;
    /** Needed by the deploy script only; the running bot learns it at login. */
    appId?: string;
    /** Registers commands in one guild (instant) instead of globally; for development. */
    guildId?: string;
    /** Minimum time between edits of one job card. Default 1000 ms. */
    editIntervalMs: number;
  };
  /** Present when TELEGRAM_BOT_TOKEN is set. */
  telegram?: {
    token: string;
    /** Minimum time between edits of one job card; Telegram rate-limits edits per chat. Default 3000 ms. */
    editIntervalMs: number;
    /** Bot API server root (TELEGRAM_API_ROOT); unset means Telegram's own, https://api.telegram.org. */
    apiRoot?: string;
  };
  /** Present when BOTS_HEALTH_PORT is set: the probe port's /health and /metrics. */
  health?: { port: number; host: string; metricsToken?: string };
}

/** Parses the bots' settings once at boot; throws {@link ConfigError} naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): BotsConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid bots configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    apiUrl: e.DREAMLOOM_API_URL.replace(/\/+$/, ''),
    botApiToken: e.BOT_API_TOKEN ?? '',
    discord: e.DISCORD_TOKEN
      ? {
          token: e.DISCORD_TOKEN,
          appId: e.DISCORD_APP_ID,
          guildId: e.DISCORD_GUILD_ID,
          editIntervalMs: e.DISCORD_EDIT_INTERVAL_MS,
        }
      : undefined,
    telegram: e.TELEGRAM_BOT_TOKEN
      ? {
          token: e.TELEGRAM_BOT_TOKEN,
          editIntervalMs: e.TELEGRAM_EDIT_INTERVAL_MS,
          apiRoot: e.TELEGRAM_API_ROOT?.replace(/\/+$/, ''),
        }
      : undefined,
    health:
      e.BOTS_HEALTH_PORT === undefined
        ? undefined
        : { port: e.BOTS_HEALTH_PORT, host: e.BOTS_HEALTH_HOST, metricsToken: e.METRICS_TOKEN },
  };
}

const deploySchema = z.object({
  DISCORD_TOKEN: z.string().trim().min(1, 'is required to register commands'),
  DISCORD_APP_ID: z.string().regex(/^\d{15,22}$/, 'must be a Discord application id (a snowflake)'),
  DISCORD_GUILD_ID: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^\d{15,22}$/, 'must be a Discord guild id (a snowflake)')
      .optional(),
  ),
});

/** Settings for the command deploy script, which needs no Dreamloom server. */
export function loadDeployConfig(env: Record<string, string | undefined> = process.env): {
  token: string;
  appId: string;
  guildId?: string;
} {
  const parsed = deploySchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid deploy-commands configuration:\n  ${problems.join('\n  ')}`);
  }
  return {
    token: parsed.data.DISCORD_TOKEN,
    appId: parsed.data.DISCORD_APP_ID,
    guildId: parsed.data.DISCORD_GUILD_ID,
  };
}
