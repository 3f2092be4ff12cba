import { ValidationError } from '../../errors.js';

/**
 * Refuses keys that could leave the storage root: absolute paths, `..` or empty segments,
 * backslashes and control characters. Both adapters apply it, so a key valid on a developer's
 * disk is valid in the production bucket and the other way round.
 */
export function assertStorageKey(key: string): void {
  const segments = key.split('/');
  const invalid =
    key.length === 0 ||
    key.length > 1024 ||
    key.includes('\\') ||
    /[\u0000-\u001f\u007f]/.test(key) ||
    segments.some((segment) => segment === '' || segment === '.' || segment === '..');
  if (invalid) throw new ValidationError(`Invalid storage key ${JSON.stringify(key)}`);
}
