import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Paths that may carry secrets anywhere in a log object. pino removes them before serialising,
 * so a careless `log.info({ account })` cannot leak a session id.
 */
const REDACTED_PATHS = [
  'password',
  'token',
  'session_id',
  'sessionId',
  'secret',
  'apiKey',
  'api_key',
  'authorization',
  '*.password',
  '*.token',
  '*.session_id',
  '*.sessionId',
  '*.secret',
  '*.apiKey',
  '*.api_key',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
];

export function createLogger(options: { level: string; name?: string }): Logger {
  return pino({
    name: options.name ?? 'dreamloom',
    level: options.level,
    redact: { paths: REDACTED_PATHS, remove: true },
  });
}
