import { describe, expect, it } from 'vitest';
import { ChatActivity } from './chat-activity.js';

describe('ChatActivity', () => {
  it('sends one signal per place per interval, however many jobs ask', async () => {
    let now = 0;
    const silenced = new Set<string>();
    const activity = new ChatActivity({
      intervalMs: 4000,
      now: () => now,
      isSilenced: (place) => silenced.has(place),
    });
    const sent: string[] = [];
    const send = (label: string) => async () => void sent.push(label);

    for (let job = 0; job < 20; job++) activity.pulse('group', send(`group@${now}`));
    activity.pulse('private', send(`private@${now}`));
    await new Promise((resolve) => setImmediate(resolve));
    now = 3999;
    activity.pulse('group', send(`group@${now}`));
    now = 4000;
    activity.pulse('group', send(`group@${now}`));
    // During a flood wait the place stays quiet.
    now = 9000;
    silenced.add('group');
    activity.pulse('group', send(`group@${now}`));
    await new Promise((resolve) => setImmediate(resolve));

    expect(sent).toEqual(['group@0', 'private@0', 'group@4000']);
  });

  it('never sends two at once in a place, and reports failures', async () => {
    let now = 0;
    const errors: unknown[] = [];
    const activity = new ChatActivity({ intervalMs: 10, now: () => now, onError: (e) => errors.push(e) });
    let release!: () => void;
    let calls = 0;
    activity.pulse('group', () => {
      calls++;
      return new Promise<void>((_, reject) => (release = () => reject(new Error('429'))));
    });
    now = 100;
    activity.pulse('group', async () => void calls++);
    expect(calls).toBe(1);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toHaveLength(1);
    now = 200;
    activity.pulse('group', async () => void calls++);
    expect(calls).toBe(2);
  });
});
