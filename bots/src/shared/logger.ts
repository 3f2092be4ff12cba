/**
 * The few log calls the bots make. Passed in as a dependency so tests can stay silent
 * and the composition root can swap in a structured logger without touching handlers.
 */
export interface Logger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** Logs one line per call to the console, prefixed with the component name. */
export function createConsoleLogger(name: string): Logger {
  const line = (message: string, meta?: Record<string, unknown>) =>
    meta && Object.keys(meta).length > 0
      ? `[${name}] ${message} ${JSON.stringify(meta, errorReplacer)}`
      : `[${name}] ${message}`;
  return {
    info: (message, meta) => console.log(line(message, meta)),
    warn: (message, meta) => console.warn(line(message, meta)),
    error: (message, meta) => console.error(line(message, meta)),
  };
}

/** Drops every message; the default for tests. */
export const silentLogger: Logger = Object.freeze({
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});

// JSON.stringify turns Error instances into `{}`; keep what helps when reading logs.
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}
