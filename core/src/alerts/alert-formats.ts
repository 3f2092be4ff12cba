import type { Alert } from './alert.types.js';

export const ALERT_FORMATS = ['discord', 'telegram', 'json'] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];

/** Discord rejects a webhook message's content past 2000 characters, Telegram past 4096. */
const DISCORD_MAX = 2000;
const TELEGRAM_MAX = 4096;

/** The alert as a chat line: severity, message and the details as `key=value`. */
export function alertText(alert: Alert): string {
  const details = Object.entries(alert.details)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
  const marker = alert.severity === 'critical' ? '🔴' : '🟠';
  return `${marker} [Dreamloom ${alert.severity}] ${alert.message}${details ? `\n${details}` : ''}`;
}

/**
 * The JSON body a receiver of `format` expects: Discord's webhook `{content}`, Telegram's
 * sendMessage `{chat_id, text}` (the bot token is in the URL), or the alert itself for anything else.
 */
export function formatAlert(
  format: AlertFormat,
  alert: Alert,
  options: { telegramChatId?: string } = {},
): Record<string, unknown> {
  switch (format) {
    case 'discord':
      return { content: alertText(alert).slice(0, DISCORD_MAX) };
    case 'telegram':
      return {
        chat_id: options.telegramChatId,
        text: alertText(alert).slice(0, TELEGRAM_MAX),
        disable_web_page_preview: true,
      };
    case 'json':
      return {
        type: alert.type,
        severity: alert.severity,
        message: alert.message,
        details: { condition: alert.condition, ...alert.details },
        at: alert.at.toISOString(),
      };
  }
}
