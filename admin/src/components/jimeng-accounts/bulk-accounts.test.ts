import { describe, expect, it } from 'vitest';
import { parseBulkAccounts } from './bulk-accounts';

describe('parseBulkAccounts', () => {
  it('reads account,session_id[,type] lines with the default type for lines without one', () => {
    const text = [
      '# exported 2026-11-25',
      'a@example.com,session-aaaa-1111',
      '',
      'b@example.com， session-bbbb-2222 ，1',
      'c@example.com\tsession-cccc-3333\toverseas',
      'd@example.com;session-dddd-4444;cn',
    ].join('\n');
    expect(parseBulkAccounts(text, 1)).toEqual({
      accounts: [
        { jimeng_account: 'a@example.com', jimeng_account_type: 1, session_id: 'session-aaaa-1111' },
        { jimeng_account: 'b@example.com', jimeng_account_type: 1, session_id: 'session-bbbb-2222' },
        { jimeng_account: 'c@example.com', jimeng_account_type: 1, session_id: 'session-cccc-3333' },
        { jimeng_account: 'd@example.com', jimeng_account_type: 0, session_id: 'session-dddd-4444' },
      ],
      problems: [],
    });
  });

  it('reports every bad line by its number', () => {
    const text = [
      'only-an-account',
      ',session-xxxx-0000',
      'e@example.com,short',
      'f@example.com,session-ffff-6666,2',
      'g@example.com,session-gggg-7777',
      'G@example.com,session-gggg-8888',
      'h@example.com,session-hhhh-9999,0,extra',
    ].join('\r\n');
    const { accounts, problems } = parseBulkAccounts(text, 0);
    expect(accounts.map((a) => a.jimeng_account)).toEqual(['g@example.com']);
    expect(problems).toEqual([
      { line: 1, reason: 'fields' },
      { line: 2, reason: 'account' },
      { line: 3, reason: 'session' },
      { line: 4, reason: 'type' },
      { line: 6, reason: 'duplicate', firstLine: 5 },
      { line: 7, reason: 'fields' },
    ]);
  });
});
