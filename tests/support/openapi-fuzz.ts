import { request as httpRequest } from 'node:http';

/**
 * Schema-driven fuzzing of every operation of an OpenAPI document (Dreamloom's `/api/docs`):
 * deterministic (seeded) hostile requests per operation, answers checked for 5xx and for leaks of
 * SQL or stack traces. The generator knows nothing about particular routes, so new operations are
 * covered as soon as they are documented.
 */

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  additionalProperties?: JsonSchema | boolean;
};

export interface Operation {
  method: string;
  path: string;
  secured: boolean;
  pathParams: Array<{ name: string; schema: JsonSchema }>;
  queryParams: Array<{ name: string; schema: JsonSchema; required: boolean }>;
  body?: { contentType: string; schema: JsonSchema };
}

export interface Caller {
  name: string;
  headers: Record<string, string>;
}

export interface FuzzCase {
  op: Operation;
  caller: Caller;
  label: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Finding {
  request: string;
  caller: string;
  label: string;
  status: number;
  problem: string;
  excerpt: string;
}

/** Real ids seen in earlier answers, by the key they appeared under (`id`, `story_id`, `llm_id`…). */
export type IdPool = Map<string, string[]>;

const ID_KEY = /^(id|uuid|key|llm_id|taskId|generation_uuid)$|_id$|Id$/;

/** Collects id-like values (strings and integers under id-like keys) from a JSON answer into the pool. */
export function harvest(value: unknown, pool: IdPool, depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value.slice(0, 20)) harvest(item, pool, depth + 1);
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    if (
      ID_KEY.test(key) &&
      (typeof child === 'string' || Number.isInteger(child)) &&
      String(child).length <= 64
    ) {
      const values = pool.get(key) ?? [];
      if (!values.includes(String(child)) && values.length < 20) values.push(String(child));
      pool.set(key, values);
    } else harvest(child, pool, depth + 1);
  }
}

/** A harvested id for a parameter or property name, if any was seen under that name or a related one. */
function fromPool(name: string, pool: IdPool | undefined, random: Rng): string | undefined {
  if (!pool || !ID_KEY.test(name)) return undefined;
  const related = [name];
  if (name === 'uuid') related.push('generation_uuid');
  if (name === 'model_id' || name === 'model') related.push('llm_id');
  if (name.endsWith('_id') || name.endsWith('Id')) related.push('id');
  for (const key of related) {
    const values = pool.get(key);
    if (values?.length && random.next() < 0.85) return random.pick(values);
  }
  return undefined;
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
    shuffle<T>(items: T[]): T[] {
      const copy = [...items];
      for (let index = copy.length - 1; index > 0; index -= 1) {
        const other = Math.floor(next() * (index + 1));
        [copy[index], copy[other]] = [copy[other], copy[index]];
      }
      return copy;
    },
  };
}
export type Rng = ReturnType<typeof rng>;

export function hash(text: string): number {
  let value = 2166136261;
  for (let index = 0; index < text.length; index += 1)
    value = Math.imul(value ^ text.charCodeAt(index), 16777619);
  return value >>> 0;
}

/** Every operation of the document, in document order. */
export function operationsOf(doc: { paths: Record<string, Record<string, any>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const parameters = (op.parameters ?? []) as Array<{
        name: string;
        in: string;
        required?: boolean;
        schema: JsonSchema;
      }>;
      const content = op.requestBody?.content as Record<string, { schema: JsonSchema }> | undefined;
      const [contentType, media] = Object.entries(content ?? {})[0] ?? [];
      operations.push({
        method: method.toUpperCase(),
        path,
        secured: Array.isArray(op.security) && op.security.length > 0,
        pathParams: parameters
          .filter((p) => p.in === 'path')
          .map((p) => ({ name: p.name, schema: p.schema })),
        queryParams: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: p.schema, required: !!p.required })),
        body: contentType ? { contentType, schema: media!.schema } : undefined,
      });
    }
  }
  return operations;
}

function typesOf(schema: JsonSchema): string[] {
  if (schema.type) return Array.isArray(schema.type) ? schema.type : [schema.type];
  if (schema.enum) return [typeof schema.enum[0]];
  if (schema.const !== undefined) return [typeof schema.const];
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return variants.flatMap(typesOf);
  return [];
}

function stringFor(schema: JsonSchema, random: Rng): string {
  if (schema.format === 'uuid') return uuidLike(random);
  if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com/fuzz.png';
  if (schema.format === 'date-time') return '2025-01-02T03:04:05.000Z';
  if (schema.format === 'email') return 'fuzz@example.com';
  const pattern = schema.pattern ?? '';
  let text: string;
  if (/^\^\\d\{/.test(pattern)) text = String(random.int(1e8, 9e8));
  else if (pattern.includes('HH') || /\[01\]\\d/.test(pattern)) text = '12:30';
  else if (pattern.startsWith('^jimeng')) text = 'jimeng-4.5';
  else text = `fz-${random.int(1000, 9999)}`;
  const min = schema.minLength ?? 0;
  if (text.length < min) text = text.padEnd(min, 'x');
  if (schema.maxLength !== undefined && text.length > schema.maxLength)
    text = text.slice(0, Math.max(schema.maxLength, min));
  return text;
}

function uuidLike(random: Rng): string {
  const hex = () => random.int(0, 15).toString(16);
  const part = (length: number) => Array.from({ length }, hex).join('');
  return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}

function numberFor(schema: JsonSchema, integer: boolean, random: Rng): number {
  const low = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
  const high =
    schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : low + 10);
  if (integer)
    return random.int(Math.ceil(low), Math.max(Math.ceil(low), Math.floor(Math.min(high, low + 10))));
  return low + random.next() * Math.min(high - low, 10);
}

/** A value the schema (mostly) accepts: the baseline that reaches handlers. */
export function sample(schema: JsonSchema, random: Rng, depth = 0, pool?: IdPool, name = ''): unknown {
  if (schema.const !== undefined) return schema.const;
  const known = fromPool(name, pool, random);
  const kinds = typesOf(schema);
  if (known !== undefined && kinds.includes('string')) return known;
  if (known !== undefined && kinds.includes('integer') && /^\d+$/.test(known)) return Number(known);
  if (schema.enum?.length) return random.pick(schema.enum);
  if (schema.allOf?.length) return sample(Object.assign({}, ...schema.allOf), random, depth, pool, name);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length) {
    const usable = variants.filter((variant) => variant.type !== 'null');
    return sample(random.pick(usable.length ? usable : variants), random, depth, pool, name);
  }
  const type = typesOf(schema).find((candidate) => candidate !== 'null');
  switch (type) {
    case 'string':
      return stringFor(schema, random);
    case 'integer':
      return numberFor(schema, true, random);
    case 'number':
      return numberFor(schema, false, random);
    case 'boolean':
      return random.next() < 0.5;
    case 'array': {
      if (depth > 4) return [];
      const count = Math.max(schema.minItems ?? 0, schema.minItems === undefined ? 1 : 0);
      const itemSchema = schema.items ?? {};
      return Array.from({ length: Math.min(count, schema.maxItems ?? count, 3) || 0 }, () =>
        sample(itemSchema, random, depth + 1, pool, name.replace(/s$/, '')),
      );
    }
    case 'object': {
      const result: Record<string, unknown> = {};
      if (depth > 4) return result;
      const required = new Set(schema.required ?? []);
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        if (required.has(name) || random.next() < 0.5)
          result[name] = sample(property, random, depth + 1, pool, name);
      }
      return result;
    }
    default:
      return 'fz';
  }
}

/** Strings no handler should trip on. Deliberately free of SQL keywords, which the leak check looks for. */
export const HOSTILE_STRINGS: Array<[string, string]> = [
  ['NUL', 'a\u0000b'],
  ['lone surrogate', 'x\uD800y'],
  ['lone low surrogate', '\uDC00'],
  ['RTL override', '\u202Egnp.exe\u202C'],
  ['emoji', '🦊🔥👩‍👩‍👧'],
  ['noncharacter', '\uFFFF\uFDD0'],
  ['quote', "1' OR '1'='1"],
  ['traversal', '../../../etc/passwd'],
  ['percent', '%00%ff%'],
  ['control chars', '\u0001\u001b[31m\u007f'],
  ['empty', ''],
  ['whitespace', '   \t\n'],
  ['huge', 'x'.repeat(100_000)],
  ['huge CJK', '狐'.repeat(20_000)],
];

export const HOSTILE_PATH_VALUES: Array<[string, string]> = [
  ['NUL', '%00'],
  ['traversal', '..%2F..%2Fetc%2Fpasswd'],
  ['dotdot', '..'],
  ['long', 'a'.repeat(5000)],
  ['unicode', encodeURIComponent('狐🦊')],
  ['negative', '-1'],
  ['overflow', '1e309'],
  ['bigint', '99999999999999999999999'],
  ['quote', encodeURIComponent("1' OR '1'='1")],
  ['encoded surrogate', '%ED%A0%80'],
  ['bad escape', '%E0%A4%A'],
  ['zero', '0'],
];

export const HOSTILE_QUERY_VALUES: Array<[string, string]> = [
  ['NUL', '%00'],
  ['long', 'q'.repeat(10_000)],
  ['negative', '-1'],
  ['overflow', '1e309'],
  ['bigint', '99999999999999999999999'],
  ['float', '1.5'],
  ['word', 'abc'],
  ['empty', ''],
  ['quote', encodeURIComponent("1' OR '1'='1")],
  ['unicode', encodeURIComponent('狐🦊\u202E')],
  ['encoded surrogate', '%ED%A0%80'],
  ['bad escape', '%E0%A4%A'],
  ['date', '2025-13-45T99:99:99Z'],
];

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level += 1) value = { deeper: value, list: [level] };
  return value;
}

/** Wrong-typed replacements for a property of the given schema. */
function wrongTypes(schema: JsonSchema): Array<[string, unknown]> {
  const types = typesOf(schema);
  const out: Array<[string, unknown]> = [];
  if (!types.includes('string')) out.push(['string for non-string', 'not-a-value']);
  if (!types.includes('number') && !types.includes('integer')) out.push(['number for non-number', 12345]);
  if (!types.includes('array')) out.push(['array', ['a', 1, null]]);
  if (!types.includes('object')) out.push(['object', { a: { b: 1 } }]);
  if (!types.includes('boolean')) out.push(['boolean', true]);
  if (!types.includes('null')) out.push(['null', null]);
  return out;
}

function numberMutations(schema: JsonSchema): Array<[string, unknown]> {
  const types = typesOf(schema);
  if (!types.includes('number') && !types.includes('integer')) return [];
  return [
    ['number as string', '5'],
    ['negative', -1],
    ['huge', 1e308],
    ['unsafe int', 9007199254740993],
    ['fraction', 1.5],
    ['min-1', (schema.minimum ?? 0) - 1],
    ['max+1', (schema.maximum ?? 2 ** 31) + 1],
  ];
}

function fillPath(op: Operation, values: Record<string, string>): string {
  return op.path.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? 'x');
}

function queryString(entries: Array<[string, string]>): string {
  return entries.length
    ? `?${entries.map(([key, value]) => `${encodeURIComponent(key)}=${value}`).join('&')}`
    : '';
}

/**
 * The cases of one operation: baseline per caller, then path, query and body mutations spread over
 * the callers; at most `cap` (a seeded choice when there are more candidates).
 */
export function casesFor(
  op: Operation,
  callers: Caller[],
  seed: number,
  cap: number,
  pool?: IdPool,
): FuzzCase[] {
  const random = rng(seed ^ hash(`${op.method} ${op.path}`));
  const basePath: Record<string, string> = {};
  for (const param of op.pathParams)
    basePath[param.name] = encodeURIComponent(String(sample(param.schema, random, 0, pool, param.name)));
  const baseQuery: Array<[string, string]> = op.queryParams
    .filter((param) => param.required || random.next() < 0.5)
    .map((param) => [
      param.name,
      encodeURIComponent(String(sample(param.schema, random, 0, pool, param.name))),
    ]);
  const json = op.body?.contentType === 'application/json';
  const baseBody = op.body ? sample(op.body.schema, random, 0, pool) : undefined;
  type Draft = {
    label: string;
    path?: Record<string, string>;
    query?: Array<[string, string]>;
    body?: string;
    contentType?: string;
  };
  const encode = (value: unknown) => JSON.stringify(value);
  const baseline: Draft = { label: 'baseline', body: baseBody === undefined ? undefined : encode(baseBody) };
  const drafts: Draft[] = [];

  for (const param of op.pathParams)
    for (const [label, value] of HOSTILE_PATH_VALUES)
      drafts.push({ label: `path ${param.name}: ${label}`, path: { ...basePath, [param.name]: value } });
  for (const param of op.queryParams) {
    for (const [label, value] of HOSTILE_QUERY_VALUES)
      drafts.push({
        label: `query ${param.name}: ${label}`,
        query: [...baseQuery.filter(([name]) => name !== param.name), [param.name, value]],
      });
    drafts.push({
      label: `query ${param.name}: repeated`,
      query: [...baseQuery, [param.name, '1'], [param.name, '2']],
    });
  }
  if (op.body || ['POST', 'PUT', 'PATCH', 'DELETE'].includes(op.method)) {
    drafts.push({ label: 'body: not JSON', body: '{"unterminated": ' });
    drafts.push({ label: 'body: array', body: '[]' });
    drafts.push({ label: 'body: null', body: 'null' });
    drafts.push({ label: 'body: string', body: '"text"' });
    drafts.push({ label: 'body: number', body: '42' });
    drafts.push({
      label: 'body: deep nesting',
      body: encode({ ...(baseBody as object), nested: nested(100) }),
    });
  }
  if (op.body && json) {
    const schema = op.body.schema;
    const base = (baseBody && typeof baseBody === 'object' ? baseBody : {}) as Record<string, unknown>;
    for (const name of schema.required ?? []) {
      const { [name]: _dropped, ...rest } = base;
      drafts.push({ label: `body ${name}: missing`, body: encode(rest) });
    }
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      const mutate = (label: string, value: unknown) =>
        drafts.push({ label: `body ${name}: ${label}`, body: encode({ ...base, [name]: value }) });
      for (const [label, value] of wrongTypes(property)) mutate(label, value);
      for (const [label, value] of numberMutations(property)) mutate(label, value);
      const types = typesOf(property);
      if (types.includes('string') || types.length === 0)
        for (const [label, value] of HOSTILE_STRINGS) mutate(label, value);
      if (types.includes('array')) {
        mutate(
          'huge array',
          Array.from({ length: 2000 }, (_, index) => `fz-${index}`),
        );
        mutate(
          'array of hostile strings',
          HOSTILE_STRINGS.slice(0, 6).map(([, value]) => value),
        );
        mutate('array of nested', [nested(20), nested(40)]);
      }
      if (types.includes('object')) {
        mutate('nested 20', nested(20));
        mutate('hostile keys', {
          ['k\u0000']: 1,
          ['\uD800']: 2,
          ['__proto__']: { polluted: true },
          constructor: 'x',
        });
      }
    }
    drafts.push({
      label: 'body: unknown extra properties',
      body: encode({ ...base, __proto__x: 1, ['狐'.repeat(10)]: 'x' }),
    });
  }
  if (op.body?.contentType === 'multipart/form-data') {
    // Multipart: every field hostile at once, files that are not what they claim, JSON cards with hostile text.
    const boundary = 'fuzzboundary7d1f';
    const fields = Object.entries(op.body.schema.properties ?? {});
    const multipart = (text: string, file: { name: string; type: string; data: string }) =>
      [
        ...fields
          .filter(([, property]) => !typesOf(property).includes('array'))
          .map(
            ([name]) => `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${text}\r\n`,
          ),
        ...fields
          .filter(([name, property]) => typesOf(property).includes('array') || name === 'file')
          .map(
            ([name]) =>
              `--${boundary}\r\ncontent-disposition: form-data; name="${name}"; filename="${file.name}"\r\n` +
              `content-type: ${file.type}\r\n\r\n${file.data}\r\n`,
          ),
        `--${boundary}--\r\n`,
      ].join('');
    const contentType = `multipart/form-data; boundary=${boundary}`;
    for (const [label, value] of HOSTILE_STRINGS.slice(0, 10)) {
      drafts.push({
        label: `multipart fields: ${label}`,
        contentType,
        body: multipart(value, { name: `${value.slice(0, 40)}.png`, type: 'image/png', data: 'not a png' }),
      });
      drafts.push({
        label: `multipart JSON file: ${label}`,
        contentType,
        body: multipart('fz', {
          name: 'card.json',
          type: 'application/json',
          data: JSON.stringify({ spec: 'chara_card_v2', data: { name: `Fox ${value}`, description: value } }),
        }),
      });
    }
    drafts.push({
      label: 'multipart: truncated',
      contentType,
      body: `--${boundary}\r\ncontent-disposition: form-data; name="x"\r\n\r\nab`,
    });
  }

  const chosen = random.shuffle(drafts).slice(0, Math.max(0, cap - callers.length));
  const cases: FuzzCase[] = [];
  const build = (draft: Draft, caller: Caller): FuzzCase => {
    const body = draft.body ?? baseline.body;
    const contentType = draft.contentType ?? (json || !op.body ? 'application/json' : op.body.contentType);
    return {
      op,
      caller,
      label: draft.label,
      path: fillPath(op, draft.path ?? basePath) + queryString(draft.query ?? baseQuery),
      headers: {
        ...caller.headers,
        ...(body !== undefined ? { 'content-type': contentType } : {}),
      },
      body,
    };
  };
  for (const caller of callers) cases.push(build(baseline, caller));
  chosen.forEach((draft, index) =>
    cases.push(build(draft, callers[(index + hash(op.path)) % callers.length])),
  );
  return cases;
}

const LEAKS: Array<[string, RegExp]> = [
  ['SQL', /\bSELECT\b|\bINSERT\b|\bUPDATE `|\bDELETE FROM\b/],
  ['SQLite error', /SQLITE_/],
  ['MySQL error', /\bER_[A-Z_]{3,}/],
  ['sequelize', /sequelize/i],
  ['stack trace', /\bat [\w.<>$ ]*\(?(\/|[A-Z]:\\|file:\/\/)[^\s)]+:\d+:\d+/],
  ['source file', /\.ts:\d+/],
];

/** Sends one case (the path byte for byte: no normalisation of `..` or escapes). */
export function send(
  baseUrl: string,
  fuzzCase: FuzzCase,
  timeoutMs = 20_000,
): Promise<{ status: number; text: string }> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: fuzzCase.op.method,
        path: fuzzCase.path,
        headers: fuzzCase.headers,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          // Media bodies are not inspected past 256 KB.
          if (size < 256 * 1024) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (error) => resolve({ status: -1, text: String(error) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ status: -1, text: String(error) }));
    req.end(fuzzCase.body);
  });
}

/** What is wrong with an answer: a 5xx, no answer, or a leak of SQL or a stack trace. */
export function judge(answer: { status: number; text: string }): string | null {
  if (answer.status === -1) return `no answer (${answer.text})`;
  if (answer.status >= 500) return `status ${answer.status}`;
  for (const [name, pattern] of LEAKS) if (pattern.test(answer.text)) return `leaks ${name}`;
  return null;
}

/**
 * Runs groups of cases in order, each with bounded concurrency; a group's cases are made when it
 * starts, so they can use the ids harvested (into `pool`) from every earlier 2xx JSON answer.
 */
export async function runCases(
  baseUrl: string,
  groups: Array<() => FuzzCase[]>,
  concurrency: number,
  pool: IdPool,
): Promise<{ sent: number; statuses: Map<number, number>; findings: Finding[] }> {
  const findings: Finding[] = [];
  const statuses = new Map<number, number>();
  let sent = 0;
  for (const makeGroup of groups) {
    const group = makeGroup();
    let next = 0;
    const worker = async () => {
      while (next < group.length) {
        const fuzzCase = group[next];
        next += 1;
        const answer = await send(baseUrl, fuzzCase);
        sent += 1;
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status >= 200 && answer.status < 300 && /^\s*[[{]/.test(answer.text)) {
          try {
            harvest(JSON.parse(answer.text), pool);
          } catch {
            // a truncated or streamed answer: nothing to harvest
          }
        }
        const problem = judge(answer);
        if (problem)
          findings.push({
            request: `${fuzzCase.op.method} ${fuzzCase.path.slice(0, 160)}`,
            caller: fuzzCase.caller.name,
            label: fuzzCase.label,
            status: answer.status,
            problem,
            excerpt: answer.text.slice(0, 300),
          });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }
  return { sent, statuses, findings };
}
