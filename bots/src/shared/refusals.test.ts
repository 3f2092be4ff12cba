import { describe, expect, it } from 'vitest';
import { DreamloomApiError } from './dreamloom-client.js';
import { refusalFor } from './refusals.js';

const refused = (code: string, message: string, status: number) =>
  refusalFor(new DreamloomApiError(code, message, status)).message;

describe('refusalFor (server error codes → plain words with the next step)', () => {
  it('names the allowed values of the field a video request got wrong, never the field name', () => {
    const text = refused('VALIDATION_ERROR', 'Kling 2.5 supports duration_seconds 5, 10', 400);
    expect(text).toBe(
      'Kling 2.5 makes videos of 5 or 10 seconds. Pick one of those (--duration on Telegram, duration on Discord).',
    );
    expect(refused('VALIDATION_ERROR', 'Sora-2 supports aspect_ratio 16:9, 9:16', 400)).toBe(
      'Sora-2 takes the ratios 16:9 or 9:16.',
    );
  });

  it('reads the allowed values out of a fixed-set check, without the validator text', () => {
    const text = refused(
      'VALIDATION_ERROR',
      'body.aspect_ratio: Invalid option: expected one of "1:1"|"16:9"|"21:9"',
      400,
    );
    expect(text).toBe('This model takes the ratios 1:1, 16:9 or 21:9.');
  });

  it('explains a too-long prompt without the validator text', () => {
    const text = refused(
      'VALIDATION_ERROR',
      'body.prompt: Too big: expected string to have <=2000 characters',
      400,
    );
    expect(text).toContain('Your prompt is too long');
    expect(text).not.toMatch(/body\.|Too big|<=/);
  });

  it('falls back to a pointer to /help for a validation problem it has no words for', () => {
    const text = refused(
      'VALIDATION_ERROR',
      'body.motion: Too big: expected string to have <=200 characters',
      400,
    );
    expect(text).toBe(
      'Something in that request was not accepted. /help shows the commands and the values they take.',
    );
  });

  it('says how to get credits, with the price and the balance', () => {
    expect(
      refused('INSUFFICIENT_CREDITS', 'This generation costs 210 MC; your balance is 5 MC', 402),
    ).toMatch(/^This costs 210 MC and you have 5 MC\. Credits \(MC\) are added by the community staff/);
  });

  it('covers the limits, unknown models and unreachable servers', () => {
    expect(
      refused(
        'DAILY_QUOTA_EXCEEDED',
        'You have started 20 generations in the last 24 hours (quota 20); try again later',
        429,
      ),
    ).toBe(
      'You have used all 20 generations you may start in 24 hours. Try again later; /balance shows how many you have used.',
    );
    expect(refused('MODEL_NOT_FOUND', 'Unknown model kie/nope', 400)).toBe(
      'There is no model called "kie/nope". /help lists the models you can use.',
    );
    expect(refused('NETWORK_ERROR', 'Dreamloom server unreachable: ECONNREFUSED 127.0.0.1:8080', 0)).toBe(
      'Dreamloom cannot be reached right now. Please try again in a minute.',
    );
    expect(refusalFor(new Error('SQLITE_BUSY')).message).toBe(
      'Something went wrong on our side. Please try again later.',
    );
  });
});
