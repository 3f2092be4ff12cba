import { ValidationError } from '@dreamloom/core';

/**
 * Text no database of ours stores: NUL (SQLite's driver cuts or refuses it, MySQL/MariaDB keep it but
 * C-string tools downstream do not) and UTF-16 surrogates without their pair (no UTF-8 encoding
 * exists; they become U+FFFD or an error depending on the layer). Every other code point is valid
 * utf8mb4 and valid SQLite TEXT, so nothing else is refused here.
 */
const FORBIDDEN_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Deeper JSON than this is refused: nothing we accept nests that far, and deep values overflow the stack later. */
export const MAX_JSON_DEPTH = 32;

function describe(text: string): string {
  return text.includes('\u0000') ? 'a NUL character' : 'an unpaired UTF-16 surrogate';
}

/** Names the first problem in a parsed JSON value (strings and keys, walked without recursion), or null. */
export function findHostileValue(value: unknown, where: string): string | null {
  const stack: Array<[unknown, string, number]> = [[value, where, 0]];
  while (stack.length) {
    const [current, path, depth] = stack.pop()!;
    if (typeof current === 'string') {
      if (FORBIDDEN_TEXT.test(current)) return `${path} contains ${describe(current)}`;
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= MAX_JSON_DEPTH) return `${path} is nested deeper than ${MAX_JSON_DEPTH} levels`;
    if (Array.isArray(current)) {
      for (let index = 0; index < current.length; index += 1)
        stack.push([current[index], `${path}.${index}`, depth + 1]);
      continue;
    }
    for (const [key, child] of Object.entries(current)) {
      if (FORBIDDEN_TEXT.test(key)) return `${path} has a key containing ${describe(key)}`;
      stack.push([child, `${path}.${key}`, depth + 1]);
    }
  }
  return null;
}

/** Names the problem of a raw (still percent-encoded) URL path, or null. */
export function findHostilePath(rawPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return 'path has malformed percent-encoding';
  }
  return FORBIDDEN_TEXT.test(decoded) ? `path contains ${describe(decoded)}` : null;
}

/** Throws a ValidationError when a parsed JSON request body carries text no database stores. */
export function assertCleanBody(body: unknown, where = 'body'): void {
  const problem = findHostileValue(body, where);
  if (problem) throw new ValidationError(problem);
}
