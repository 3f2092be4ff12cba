/**
 * kie reports its own task states, which the worker passes on as "kie: <state>". Members do
 * not know kie; they get what the state means for their video.
 */
const kieStates: Record<string, string> = {
  waiting: 'waiting for the video service',
  queuing: 'waiting for the video service',
  generating: 'rendering the video',
  success: 'finishing',
  fail: 'the video service gave up',
};

/** The worker's stage text in words a member understands; other stages pass through unchanged. */
export function stageInWords(message: string | undefined): string | undefined {
  if (message === undefined) return undefined;
  const kie = /^kie:\s*(\w+)/i.exec(message.trim());
  if (kie) return kieStates[kie[1].toLowerCase()] ?? 'rendering the video';
  // The worker's "Checking" is a kie status poll before kie answered.
  if (message.trim() === 'Checking') return 'waiting for the video service';
  return message;
}
