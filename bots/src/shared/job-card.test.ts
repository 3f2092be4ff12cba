import { describe, expect, it } from 'vitest';
import { formatEta, progressBar, renderJobCard } from './job-card.js';
import { initialJobState } from './job-state.js';

const field = (card: ReturnType<typeof renderJobCard>, name: string) =>
  card.fields.find((f) => f.name === name)?.value;

describe('renderJobCard', () => {
  it('says who asked, which action on which image, and the settings', () => {
    const card = renderJobCard({
      ...initialJobState('a fox', {
        requestedBy: '@mika',
        origin: 'Variation of image 2 (task 1234abcd)',
        model: 'kling/video-v2.5',
        ratio: '16:9',
        resolution: '720p',
        durationSeconds: 5,
      }),
      phase: 'pending',
      taskId: 't',
      queuePosition: 1,
    });
    expect(card.text).toBe(
      '🕒 Queued\nPrompt: a fox\nRequested by: @mika\nFrom: Variation of image 2 (task 1234abcd)\n' +
        'Settings: kling/video-v2.5 · 16:9 · 720p · 5 s\nStatus: Queued · #1\nID t · /show t',
    );
  });

  it('shows prompt and status while submitting, nothing it does not know', () => {
    const card = renderJobCard(initialJobState('a fox in the snow'));
    expect(card.phase).toBe('submitting');
    expect(card.fields).toEqual([
      { name: 'Prompt', value: 'a fox in the snow' },
      { name: 'Status', value: 'Submitting' },
    ]);
    expect(card.footer).toBeUndefined();
    expect(card.text).toBe('⏳ Submitting…\nPrompt: a fox in the snow\nStatus: Submitting');
  });

  it('shows queue position, progress and ETA while queued', () => {
    const card = renderJobCard({
      prompt: 'p',
      phase: 'pending',
      taskId: 't-1',
      queuePosition: 3,
      progress: 0,
      etaSeconds: 95,
    });
    expect(field(card, 'Status')).toBe('Queued · #3 · ~1 min 35 s');
    expect(field(card, 'Progress')).toBe('▱▱▱▱▱▱▱▱▱▱ 0%');
    expect(card.footer).toBe('ID t-1 · /show t-1');
    expect(card.text).toContain('Status: Queued · #3 · ~1 min 35 s');
    expect(card.text.endsWith('ID t-1 · /show t-1')).toBe(true);
  });

  it('shows progress and the worker message while generating, without a stale queue position', () => {
    const card = renderJobCard({
      prompt: 'p',
      phase: 'processing',
      taskId: 't',
      progress: 42,
      message: 'sampling',
      queuePosition: 2,
      creditsUsed: 4,
    });
    expect(field(card, 'Status')).toBe('Generating — sampling');
    expect(field(card, 'Progress')).toBe('▰▰▰▰▱▱▱▱▱▱ 42%');
    expect(field(card, 'Status')).not.toContain('#2');
    expect(field(card, 'Credits')).toBe('4');
  });

  it('does not repeat a worker message that only says the status, nor show an uncharged 0 while running', () => {
    const card = renderJobCard({ prompt: 'p', phase: 'processing', message: 'generating', creditsUsed: 0 });
    expect(field(card, 'Status')).toBe('Generating');
    expect(field(card, 'Credits')).toBeUndefined();
    const done = renderJobCard({ prompt: 'p', phase: 'completed', creditsUsed: 0 });
    expect(field(done, 'Credits')).toBe('0');
  });

  it('shows images and credits when completed, but no progress or ETA', () => {
    const card = renderJobCard({
      prompt: 'p',
      phase: 'completed',
      taskId: 't',
      progress: 100,
      etaSeconds: 3,
      imageCount: 2,
      creditsUsed: 10,
    });
    expect(card.title).toBe('✅ Completed');
    expect(card.fields.map((f) => f.name)).toEqual(['Prompt', 'Status', 'Images', 'Credits']);
    expect(field(card, 'Status')).toBe('Completed');
  });

  it('labels a delivered video as a video, not as images', () => {
    const card = renderJobCard({
      prompt: 'p',
      phase: 'completed',
      taskId: 't',
      imageCount: 1,
      mediaKind: 'video',
      actions: ['reroll'],
    });
    expect(field(card, 'Videos')).toBe('1');
    expect(field(card, 'Images')).toBeUndefined();
    expect(card.text).toContain('Videos: 1');
    expect(card.actions).toEqual([[{ action: 'reroll' }]]);
  });

  it('offers per-image variation and upscale rows only as far as the server allows', () => {
    const base = { prompt: 'p', phase: 'completed' as const, taskId: 't', imageCount: 2 };
    expect(renderJobCard({ ...base, actions: ['reroll', 'variation', 'upscale'] }).actions).toEqual([
      [{ action: 'reroll' }],
      [
        { action: 'variation', imageIndex: 0 },
        { action: 'variation', imageIndex: 1 },
      ],
      [
        { action: 'upscale', imageIndex: 0 },
        { action: 'upscale', imageIndex: 1 },
      ],
    ]);
    expect(renderJobCard({ ...base, actions: ['reroll', 'variation'] }).actions).toHaveLength(2);
    // Unknown offers (an older server) mean reroll only; a failed job offers reroll, never per-image buttons.
    expect(renderJobCard(base).actions).toEqual([[{ action: 'reroll' }]]);
    expect(
      renderJobCard({ ...base, phase: 'failed', actions: ['reroll', 'variation', 'upscale'] }).actions,
    ).toEqual([[{ action: 'reroll' }]]);
    expect(renderJobCard({ ...base, phase: 'processing' }).actions).toEqual([[{ action: 'cancel' }]]);
  });

  it('shows the error when failed', () => {
    const card = renderJobCard({
      prompt: 'p',
      phase: 'failed',
      error: { code: 'CONTENT_BLOCKED', message: 'The prompt was blocked by the provider.' },
    });
    expect(card.title).toBe('❌ Failed');
    expect(field(card, 'Error')).toBe('The prompt was blocked by the provider.');
  });

  it('truncates very long prompts so every platform accepts the card', () => {
    const card = renderJobCard(initialJobState('x'.repeat(5000)));
    const prompt = field(card, 'Prompt') as string;
    expect([...prompt].length).toBe(900);
    expect(prompt.endsWith('…')).toBe(true);
  });
});

describe('card helpers', () => {
  it('draws a ten-slot bar, clamping out-of-range values', () => {
    expect(progressBar(100)).toBe('▰▰▰▰▰▰▰▰▰▰ 100%');
    expect(progressBar(55)).toBe('▰▰▰▰▰▰▱▱▱▱ 55%');
    expect(progressBar(-5)).toBe('▱▱▱▱▱▱▱▱▱▱ 0%');
    expect(progressBar(140)).toBe('▰▰▰▰▰▰▰▰▰▰ 100%');
  });

  it('formats ETAs in seconds, minutes and hours', () => {
    expect(formatEta(12.4)).toBe('~12 s');
    expect(formatEta(120)).toBe('~2 min');
    expect(formatEta(3725)).toBe('~1 h 2 min');
  });
});
