/**
 * A batch route's 400 (`{code, message}`, contract 003) split over the composer: the server names
 * what it refuses as `body.batch_data.3.prompt: …` (request checks) or `batch_data[3].input_images …`
 * and `global_config.callback_url is not allowed: …` (the batch service, e.g. the outbound policy),
 * several joined by `; `. Items go to their row (1-based, as the composer numbers rows), global
 * settings to their form field, anything else to a notification.
 */
export interface BatchRefusal {
  rows: Record<number, string[]>;
  fields: Record<string, string>;
  general: string[];
}

const ITEM = /(?:^|\.)batch_data(?:\.(\d+)|\[(\d+)\])/;
const GLOBAL = /(?:^|\.)global_config\.([a-z_]+)/;

export function splitRefusal(message: string): BatchRefusal {
  const refusal: BatchRefusal = { rows: {}, fields: {}, general: [] };
  // Split only where a new problem names its field: a single message may hold `;` itself.
  const parts = message.split(/;\s+(?=(?:body\.)?(?:batch_data|global_config|[a-z_]+\.[a-z_]))/);
  for (const part of parts.map((text) => text.trim()).filter(Boolean)) {
    const item = ITEM.exec(part);
    const global = GLOBAL.exec(part);
    if (item) {
      const row = Number(item[1] ?? item[2]) + 1;
      (refusal.rows[row] ??= []).push(part);
    } else if (global) {
      refusal.fields[global[1]] = part;
    } else {
      refusal.general.push(part);
    }
  }
  return refusal;
}
