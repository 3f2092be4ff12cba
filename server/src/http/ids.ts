import { z } from 'zod';

/**
 * Path ids by type, so a malformed id is refused by its schema (400, or 404 where a family says
 * so) before any query runs. Dreamloom makes two kinds of ids (core/src/shared/ids.ts): snowflakes
 * (decimal, at most 20 digits) where the contracts say 雪花UUID, and UUIDs where they say uuid.
 */
export const snowflakeId = z.string().regex(/^\d{1,20}$/, 'expected a numeric id');
export const uuidId = z.uuid();
/**
 * Contract 002's ids: snowflakes here, but its examples show 24-hex (Mongo) ids and story templates
 * take names like `free-creation`, so any 1-64 letters, digits, `_` or `-`.
 */
export const storyId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected an id (letters, digits, _ or -)');
