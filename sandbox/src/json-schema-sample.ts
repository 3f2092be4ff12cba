import { isRecord, pick } from './http-helpers.js';

type Schema = Record<string, unknown>;

export interface SampleContext {
  random: () => number;
  /** Persona name for name-like fields. */
  persona: string;
  /** The user's latest message; string fields echo its words. */
  topic: string;
}

const MAX_DEPTH = 8;

/**
 * Makes a value that satisfies a JSON Schema of the kind OpenAI's structured outputs accept:
 * objects fill every property, enums and consts are honoured, numbers respect their bounds,
 * arrays their item counts, `$ref`s resolve against the root. Strings are plausible text
 * derived from the conversation and the property name.
 */
export function sampleFromSchema(schema: unknown, context: SampleContext): unknown {
  return sample(isRecord(schema) ? schema : {}, isRecord(schema) ? schema : {}, context, '', 0);
}

function resolveRef(schema: Schema, root: Schema): Schema {
  let current = schema;
  for (let hops = 0; typeof current.$ref === 'string' && hops < 20; hops++) {
    const path = current.$ref.replace(/^#\/?/, '').split('/').filter(Boolean);
    let target: unknown = root;
    for (const segment of path)
      target = isRecord(target) ? target[segment.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    const { $ref: _ref, ...rest } = current;
    current = { ...(isRecord(target) ? target : {}), ...rest };
  }
  return current;
}

function sample(raw: Schema, root: Schema, context: SampleContext, name: string, depth: number): unknown {
  const schema = resolveRef(raw, root);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return pick(context.random, schema.enum);
  if (Array.isArray(schema.allOf)) {
    const merged = schema.allOf.reduce<Schema>(
      (acc, part) => mergeSchemas(acc, resolveRef(isRecord(part) ? part : {}, root)),
      {
        ...schema,
        allOf: undefined,
      },
    );
    delete merged.allOf;
    return sample(merged, root, context, name, depth);
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) {
      // Prefer a non-null branch so optional fields still carry content.
      const chosen = options.find((option) => isRecord(option) && option.type !== 'null') ?? options[0];
      return sample(isRecord(chosen) ? chosen : {}, root, context, name, depth);
    }
  }
  const type = Array.isArray(schema.type) ? (schema.type.find((t) => t !== 'null') ?? 'null') : schema.type;
  switch (type ?? (schema.properties ? 'object' : schema.items ? 'array' : 'string')) {
    case 'object':
      return sampleObject(schema, root, context, depth);
    case 'array':
      return sampleArray(schema, root, context, name, depth);
    case 'integer':
    case 'number':
      return sampleNumber(schema, type === 'integer', context);
    case 'boolean':
      return context.random() < 0.5;
    case 'null':
      return null;
    default:
      return sampleString(schema, context, name);
  }
}

function mergeSchemas(a: Schema, b: Schema): Schema {
  const properties = {
    ...(isRecord(a.properties) ? a.properties : {}),
    ...(isRecord(b.properties) ? b.properties : {}),
  };
  const required = [
    ...(Array.isArray(a.required) ? a.required : []),
    ...(Array.isArray(b.required) ? b.required : []),
  ];
  return { ...a, ...b, properties, required };
}

function sampleObject(
  schema: Schema,
  root: Schema,
  context: SampleContext,
  depth: number,
): Record<string, unknown> {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(properties)) {
    // Past the depth limit only required members are kept, so recursive schemas terminate.
    if (depth >= MAX_DEPTH && !required.has(key)) continue;
    out[key] = sample(isRecord(child) ? child : {}, root, context, key, depth + 1);
  }
  return out;
}

function sampleArray(
  schema: Schema,
  root: Schema,
  context: SampleContext,
  name: string,
  depth: number,
): unknown[] {
  const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
  const max = typeof schema.maxItems === 'number' ? schema.maxItems : Math.max(min, 3);
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
  const wanted =
    depth >= MAX_DEPTH ? min : Math.min(max, Math.max(min, 2 + Math.floor(context.random() * 2)));
  const count = Math.max(wanted, Math.min(prefix.length, max));
  const items = isRecord(schema.items) ? schema.items : {};
  const singular = name.replace(/s$/, '');
  return Array.from({ length: count }, (_, i) => {
    const itemSchema = i < prefix.length && isRecord(prefix[i]) ? prefix[i] : items;
    return sample(itemSchema as Schema, root, context, singular, depth + 1);
  });
}

function sampleNumber(schema: Schema, integer: boolean, context: SampleContext): number {
  const num = (key: string) => (typeof schema[key] === 'number' ? (schema[key] as number) : undefined);
  const exclusiveMin = num('exclusiveMinimum');
  const exclusiveMax = num('exclusiveMaximum');
  const step = integer ? 1 : 0.01;
  let low = num('minimum') ?? (exclusiveMin !== undefined ? exclusiveMin + step : undefined);
  let high = num('maximum') ?? (exclusiveMax !== undefined ? exclusiveMax - step : undefined);
  low ??= high !== undefined ? Math.min(0, high) : 0;
  high ??= low + 100;
  let value = low + context.random() * (high - low);
  const multipleOf = num('multipleOf');
  if (multipleOf) {
    value = Math.round(value / multipleOf) * multipleOf;
    if (value > high) value -= multipleOf;
    if (value < low) value += multipleOf;
    return Number(value.toFixed(10));
  }
  if (integer) return Math.min(Math.floor(high), Math.max(Math.ceil(low), Math.round(value)));
  return Math.min(high, Math.max(low, Math.round(value * 100) / 100));
}

const ADJECTIVES = ['moonlit', 'quiet', 'vivid', 'gentle', 'stormy', 'golden', 'misty', 'bright'];
const SCENES = [
  'rooftop garden',
  'old library',
  'harbour at dusk',
  'cherry-blossom street',
  'train platform',
  'forest shrine',
];

function sampleString(schema: Schema, context: SampleContext, name: string): string {
  const lower = name.toLowerCase();
  const format = typeof schema.format === 'string' ? schema.format : '';
  const topicWords = context.topic.split(/\s+/).filter(Boolean).slice(0, 8).join(' ') || 'a quiet evening';
  let text: string;
  if (format === 'date-time')
    text = new Date(Date.UTC(2025, 0, 1 + Math.floor(context.random() * 300))).toISOString();
  else if (format === 'date')
    text = new Date(Date.UTC(2025, 0, 1 + Math.floor(context.random() * 300))).toISOString().slice(0, 10);
  else if (format === 'email')
    text = `${context.persona.toLowerCase().replace(/[^a-z0-9]+/g, '.') || 'user'}@example.com`;
  else if (format === 'uri' || format === 'url' || /url|uri|link/.test(lower))
    text = `https://example.com/${lower || 'item'}`;
  else if (format === 'uuid' || /(^|_)id$/.test(lower)) text = `${Math.floor(context.random() * 1e8)}`;
  else if (/prompt/.test(lower)) {
    text = `${pick(context.random, ADJECTIVES)} anime illustration, ${topicWords}, ${pick(context.random, SCENES)}, soft lighting, detailed background`;
  } else if (/name|speaker|character|author/.test(lower)) text = context.persona;
  else if (/title|heading/.test(lower))
    text = `The ${capitalise(pick(context.random, ADJECTIVES))} ${capitalise(pick(context.random, SCENES))}`;
  else if (/tag|keyword|label|genre|mood|emotion/.test(lower)) text = pick(context.random, ADJECTIVES);
  else if (/lang/.test(lower)) text = 'en';
  else {
    text = `${context.persona} considers "${topicWords}" and describes a ${pick(context.random, ADJECTIVES)} ${pick(context.random, SCENES)}.`;
  }
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  while (text.length < minLength) text += ` ${text}`;
  return text.slice(0, Math.max(minLength, Math.min(maxLength, text.length)));
}

function capitalise(word: string): string {
  return word
    .split(/([\s-])/)
    .map((piece) => (piece ? piece[0].toUpperCase() + piece.slice(1) : piece))
    .join('');
}
