import { maskSecret } from '../shared/secret-box.js';

/** Keys whose values are credentials: an audit snapshot keeps only their mask. */
const SECRET_KEY = /(session_id|secret|password|token|api_?key)$/i;
/** Already-masked or sealed forms are safe to keep as they are. */
const SAFE_KEY = /(_mask|_masked)$/i;

/**
 * A deep copy of `value` with every credential-looking field masked (`abcd…wxyz`) and sealed
 * ciphertexts (`secret_enc`) dropped, so snapshots can be written to the audit log as they are.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    if (key.endsWith('_enc') || key.endsWith('_hash')) continue;
    if (!SAFE_KEY.test(key) && SECRET_KEY.test(key) && typeof field === 'string') {
      copy[key] = maskSecret(field);
      continue;
    }
    copy[key] = redactSecrets(field, depth + 1);
  }
  return copy;
}
