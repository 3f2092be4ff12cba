import { describe, expect, it } from 'vitest';
import { formatAlert } from './alert-formats.js';
import type { Alert } from './alert.types.js';

const alert: Alert = {
  type: 'account_invalid',
  condition: 'account_invalid:acc-1',
  severity: 'critical',
  message: 'jimeng account a@studio.test is invalid: its session expired, update the session id',
  details: { accountId: 'acc-1', account: 'a@studio.test' },
  at: new Date('2025-01-02T03:04:05.000Z'),
};

describe('alert formats', () => {
  it('discord: {content} with the severity, message and details', () => {
    const body = formatAlert('discord', alert);
    expect(Object.keys(body)).toEqual(['content']);
    expect(body.content).toContain('[Dreamloom critical]');
    expect(body.content).toContain('a@studio.test is invalid');
    expect(body.content).toContain('accountId=acc-1');
  });

  it('discord: content stays within the 2000 characters Discord accepts', () => {
    const long = formatAlert('discord', { ...alert, message: 'x'.repeat(5000) });
    expect(String(long.content)).toHaveLength(2000);
  });

  it('telegram: sendMessage with the chat id and the text', () => {
    const body = formatAlert('telegram', alert, { telegramChatId: '-100123' });
    expect(body).toMatchObject({ chat_id: '-100123', disable_web_page_preview: true });
    expect(body.text).toContain('a@studio.test is invalid');
  });

  it('json: {type, severity, message, details, at} with the condition in the details', () => {
    expect(formatAlert('json', alert)).toEqual({
      type: 'account_invalid',
      severity: 'critical',
      message: alert.message,
      details: { condition: 'account_invalid:acc-1', accountId: 'acc-1', account: 'a@studio.test' },
      at: '2025-01-02T03:04:05.000Z',
    });
  });
});
