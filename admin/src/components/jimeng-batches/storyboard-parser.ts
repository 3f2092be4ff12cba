import Papa from 'papaparse';
import {
  BATCH_MAX_ITEMS,
  COMPOSER_KIND_SPECS,
  DURATIONS,
  MODEL_PATTERN,
  RATIOS,
  RESOLUTIONS,
  type ComposerKind,
} from './composer-kinds';

/**
 * Storyboards pasted or uploaded into the batch composer: CSV, TSV or JSON, one storyboard per
 * row, checked against the rules the server applies (jimeng-studio.routes.ts and the batch
 * service) so each row's problems show next to it before anything is sent.
 *
 * Columns (header row required for CSV/TSV; the same keys in JSON): storyboard_id, prompt and the
 * optional per-item overrides negative_prompt, input_images, model, ratio, resolution, duration,
 * sample_strength, intelligent_ratio. A CSV cell of input_images holds URLs separated by spaces,
 * new lines or `|` (commas stay part of a URL), or a JSON array.
 */

/** One storyboard as the batch routes take it (contract 003 §9 `batch_data[]`). */
export interface StoryboardItem {
  storyboard_id: string;
  prompt: string;
  negative_prompt?: string;
  input_images?: string[];
  model?: string;
  ratio?: string;
  resolution?: string;
  duration?: number;
  sample_strength?: number;
  intelligent_ratio?: boolean;
}

/** A problem, as a translation key under `jimeng_batches.composer.errors` and its values. */
export interface ParseIssue {
  code: string;
  field?: string;
  params?: Record<string, string | number>;
}

export interface ParsedRow {
  /** 1-based position among the data rows (the header is not a row). */
  row: number;
  item: StoryboardItem;
  errors: ParseIssue[];
}

export interface ParseResult {
  format: 'csv' | 'tsv' | 'json' | 'empty';
  rows: ParsedRow[];
  /** Problems of the whole input (unreadable JSON, no header, too many rows). */
  errors: ParseIssue[];
  /** Columns the composer does not know; they are ignored (a typo of a known one shows here). */
  unknownColumns: string[];
}

export const KNOWN_COLUMNS = [
  'storyboard_id',
  'prompt',
  'negative_prompt',
  'input_images',
  'model',
  'ratio',
  'resolution',
  'duration',
  'sample_strength',
  'intelligent_ratio',
] as const;
type Column = (typeof KNOWN_COLUMNS)[number];

const LIMITS = { storyboard_id: 128, prompt: 4000, negative_prompt: 2000, url: 2048 };

/** `Storyboard ID`, `storyboard-id` and `storyboard_id` are one column. */
function columnKey(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

function isColumn(key: string): key is Column {
  return (KNOWN_COLUMNS as readonly string[]).includes(key);
}

/** Every row of a table input as {column: raw value}, plus the table-level problems. */
type RawRow = { values: Partial<Record<Column, unknown>>; issues: ParseIssue[] };

function readJson(text: string): { rows: RawRow[]; errors: ParseIssue[]; unknown: Set<string> } {
  const unknown = new Set<string>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return {
      rows: [],
      errors: [{ code: 'badJson', params: { detail: error instanceof Error ? error.message : '' } }],
      unknown,
    };
  }
  // A whole request body (`{batch_data: [...]}`) is accepted as well as the bare array.
  const list = Array.isArray(parsed) ? parsed : (parsed as { batch_data?: unknown } | null)?.batch_data;
  if (!Array.isArray(list)) return { rows: [], errors: [{ code: 'jsonNotArray' }], unknown };
  const rows = list.map((entry): RawRow => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      return { values: {}, issues: [{ code: 'notAnObject' }] };
    const values: RawRow['values'] = {};
    for (const [name, value] of Object.entries(entry as Record<string, unknown>)) {
      const key = columnKey(name);
      if (isColumn(key)) values[key] = value;
      else unknown.add(name);
    }
    return { values, issues: [] };
  });
  return { rows, errors: [], unknown };
}

function readTable(
  text: string,
  delimiter: ',' | '\t',
): { rows: RawRow[]; errors: ParseIssue[]; unknown: Set<string> } {
  const unknown = new Set<string>();
  const result = Papa.parse<Record<string, string | string[] | undefined>>(text, {
    header: true,
    delimiter,
    skipEmptyLines: 'greedy',
    transformHeader: (header) => header.trim(),
  });
  const headers = result.meta.fields ?? [];
  const keyOf = new Map(headers.map((header) => [header, columnKey(header)]));
  for (const header of headers) if (!isColumn(keyOf.get(header) ?? '') && header) unknown.add(header);
  if (!headers.some((header) => keyOf.get(header) === 'storyboard_id') && result.data.length)
    return { rows: [], errors: [{ code: 'noHeader' }], unknown };
  const rows = result.data.map((record): RawRow => {
    const values: RawRow['values'] = {};
    const issues: ParseIssue[] = [];
    for (const [header, value] of Object.entries(record)) {
      if (header === '__parsed_extra') {
        issues.push({ code: 'extraFields', params: { count: (value as string[]).length } });
        continue;
      }
      const key = keyOf.get(header) ?? '';
      if (isColumn(key)) values[key] = value;
    }
    return { values, issues };
  });
  // An unclosed quote swallows the rest of the input, so it is always the last row's (Papa's own
  // row number for it counts the header row, unlike its other errors).
  if (result.errors.some((error) => error.code === 'MissingQuotes') && rows.length)
    rows[rows.length - 1].issues.push({ code: 'badQuotes' });
  return { rows, errors: [], unknown };
}

const text = (value: unknown): string | undefined => {
  if (value === undefined || value === null) return undefined;
  const out = String(value).trim();
  return out === '' ? undefined : out;
};

function splitImages(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  const cell = text(value);
  if (!cell) return [];
  if (cell.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(cell);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // not a JSON array: read it as separated URLs
    }
  }
  return cell.split(/[\s|]+/).filter(Boolean);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Typed item plus its problems, from one row's raw values. */
function toItem(
  values: RawRow['values'],
  kind: ComposerKind,
): { item: StoryboardItem; errors: ParseIssue[] } {
  const spec = COMPOSER_KIND_SPECS[kind];
  const errors: ParseIssue[] = [];
  const item: StoryboardItem = {
    storyboard_id: text(values.storyboard_id) ?? '',
    prompt: text(values.prompt) ?? '',
  };
  if (!item.storyboard_id) errors.push({ code: 'missingStoryboardId', field: 'storyboard_id' });
  else if (item.storyboard_id.length > LIMITS.storyboard_id)
    errors.push({ code: 'tooLong', field: 'storyboard_id', params: { max: LIMITS.storyboard_id } });
  if (!item.prompt) errors.push({ code: 'missingPrompt', field: 'prompt' });
  else if (item.prompt.length > LIMITS.prompt)
    errors.push({ code: 'tooLong', field: 'prompt', params: { max: LIMITS.prompt } });

  const negative = text(values.negative_prompt);
  if (negative !== undefined) {
    item.negative_prompt = negative;
    if (negative.length > LIMITS.negative_prompt)
      errors.push({ code: 'tooLong', field: 'negative_prompt', params: { max: LIMITS.negative_prompt } });
  }

  const model = text(values.model);
  if (model !== undefined) {
    item.model = model;
    if (!MODEL_PATTERN.test(model))
      errors.push({ code: 'badModel', field: 'model', params: { value: model } });
  }
  const ratio = text(values.ratio);
  if (ratio !== undefined) {
    item.ratio = ratio;
    if (!(RATIOS as readonly string[]).includes(ratio))
      errors.push({
        code: 'badChoice',
        field: 'ratio',
        params: { value: ratio, allowed: RATIOS.join(', ') },
      });
  }
  const resolution = text(values.resolution)?.toLowerCase();
  if (resolution !== undefined) {
    item.resolution = resolution;
    if (!(RESOLUTIONS as readonly string[]).includes(resolution))
      errors.push({
        code: 'badChoice',
        field: 'resolution',
        params: { value: resolution, allowed: RESOLUTIONS.join(', ') },
      });
  }
  const duration = text(values.duration);
  if (duration !== undefined) {
    item.duration = Number(duration.replace(/s$/i, ''));
    if (spec.media !== 'video') errors.push({ code: 'videoOnly', field: 'duration' });
    else if (!(DURATIONS as readonly number[]).includes(item.duration))
      errors.push({ code: 'badChoice', field: 'duration', params: { value: duration, allowed: '5, 10' } });
  }
  const strength = text(values.sample_strength);
  if (strength !== undefined) {
    item.sample_strength = Number(strength);
    if (!Number.isFinite(item.sample_strength) || item.sample_strength < 0 || item.sample_strength > 1)
      errors.push({ code: 'badStrength', field: 'sample_strength', params: { value: strength } });
  }
  const intelligent = text(values.intelligent_ratio)?.toLowerCase();
  if (intelligent !== undefined) {
    if (['true', '1', 'yes'].includes(intelligent)) item.intelligent_ratio = true;
    else if (['false', '0', 'no'].includes(intelligent)) item.intelligent_ratio = false;
    else errors.push({ code: 'badBoolean', field: 'intelligent_ratio', params: { value: intelligent } });
  }

  const images = splitImages(values.input_images).map((url) => String(url).trim());
  if (images.length) item.input_images = images;
  const bad = images.find((url) => !isHttpUrl(url) || url.length > LIMITS.url);
  if (bad !== undefined) errors.push({ code: 'badUrl', field: 'input_images', params: { value: bad } });
  if (spec.images.max === 0 && images.length)
    errors.push({ code: 'imagesNotAllowed', field: 'input_images' });
  else if (spec.images.max > 0 && (images.length < spec.images.min || images.length > spec.images.max))
    errors.push({
      code: 'imageCount',
      field: 'input_images',
      params: { min: spec.images.min, max: spec.images.max, count: images.length },
    });
  return { item, errors };
}

/** Reads and checks storyboards for a batch of `kind`; never throws. */
export function parseStoryboards(
  input: string,
  kind: ComposerKind,
  maxItems: number = BATCH_MAX_ITEMS[COMPOSER_KIND_SPECS[kind].media],
): ParseResult {
  // Spreadsheet exports often start with a UTF-8 byte-order mark; it is not part of the first column.
  const body = input.replace(/^\uFEFF/, '');
  const trimmed = body.trim();
  if (!trimmed) return { format: 'empty', rows: [], errors: [], unknownColumns: [] };
  const firstLine = trimmed.split(/\r?\n/, 1)[0];
  const format: ParseResult['format'] = /^[[{]/.test(trimmed)
    ? 'json'
    : firstLine.includes('\t')
      ? 'tsv'
      : 'csv';
  const read = format === 'json' ? readJson(trimmed) : readTable(body, format === 'tsv' ? '\t' : ',');

  const firstRowOf = new Map<string, number>();
  const rows = read.rows.map((raw, index): ParsedRow => {
    const { item, errors } = toItem(raw.values, kind);
    const row = index + 1;
    if (item.storyboard_id) {
      const first = firstRowOf.get(item.storyboard_id);
      if (first !== undefined)
        errors.push({ code: 'duplicateId', field: 'storyboard_id', params: { row: first } });
      else firstRowOf.set(item.storyboard_id, row);
    }
    return { row, item, errors: [...raw.issues, ...errors] };
  });

  const errors = [...read.errors];
  if (rows.length > maxItems)
    errors.push({ code: 'tooManyRows', params: { count: rows.length, max: maxItems } });
  return { format, rows, errors, unknownColumns: [...read.unknown] };
}

/** True when the parsed input can be submitted as it is. */
export function isSubmittable(result: ParseResult): boolean {
  return (
    result.rows.length > 0 && result.errors.length === 0 && result.rows.every((row) => !row.errors.length)
  );
}
