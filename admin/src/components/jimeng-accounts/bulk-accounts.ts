import { MIN_SESSION_ID_LENGTH, type AccountCreateInput, type AccountType } from './types';

export type BulkLineProblem =
  | { line: number; reason: 'fields' | 'account' | 'session' | 'type' }
  | { line: number; reason: 'duplicate'; firstLine: number };

export interface BulkParseResult {
  accounts: AccountCreateInput[];
  problems: BulkLineProblem[];
}

const TYPE_WORDS: Record<string, AccountType> = {
  '0': 0,
  cn: 0,
  china: 0,
  domestic: 0,
  国内: 0,
  '1': 1,
  overseas: 1,
  intl: 1,
  global: 1,
  海外: 1,
  国外: 1,
};

/**
 * Parses the bulk-add textarea: one `account,session_id[,type]` per line. Commas (also full-width),
 * tabs and semicolons separate fields, so rows pasted from a spreadsheet work; blank lines and `#`
 * comments are skipped. Every bad line is reported with its 1-based number so staff can fix them all
 * at once rather than one failed submit at a time.
 */
export function parseBulkAccounts(text: string, defaultType: AccountType): BulkParseResult {
  const accounts: AccountCreateInput[] = [];
  const problems: BulkLineProblem[] = [];
  const seen = new Map<string, number>();

  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) return;

    const fields = trimmed.split(/[,，\t;]/).map((f) => f.trim());
    if (fields.length < 2 || fields.length > 3) {
      problems.push({ line, reason: 'fields' });
      return;
    }
    const [account, sessionId, typeField] = fields;
    if (!account) {
      problems.push({ line, reason: 'account' });
      return;
    }
    if (!sessionId || sessionId.length < MIN_SESSION_ID_LENGTH) {
      problems.push({ line, reason: 'session' });
      return;
    }
    let type = defaultType;
    if (typeField !== undefined && typeField !== '') {
      const parsed = TYPE_WORDS[typeField.toLowerCase()];
      if (parsed === undefined) {
        problems.push({ line, reason: 'type' });
        return;
      }
      type = parsed;
    }
    const firstLine = seen.get(account.toLowerCase());
    if (firstLine !== undefined) {
      problems.push({ line, reason: 'duplicate', firstLine });
      return;
    }
    seen.set(account.toLowerCase(), line);
    accounts.push({ jimeng_account: account, jimeng_account_type: type, session_id: sessionId });
  });

  return { accounts, problems };
}
