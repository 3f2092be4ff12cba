import { describe, expect, it } from 'vitest';
import { seededRandom } from './http-helpers.js';
import { sampleFromSchema, type SampleContext } from './json-schema-sample.js';

const context = (seed = 1): SampleContext => ({
  random: seededRandom(seed),
  persona: 'Mira',
  topic: 'a walk by the sea',
});

describe('sampleFromSchema', () => {
  it('fills every property with values of the right type', () => {
    const value = sampleFromSchema(
      {
        type: 'object',
        properties: {
          title: { type: 'string' },
          rating: { type: 'number', minimum: 1, maximum: 5 },
          count: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 3 },
          done: { type: 'boolean' },
          nothing: { type: 'null' },
          tags: { type: 'array', items: { type: 'string' }, minItems: 4, maxItems: 4 },
        },
      },
      context(),
    ) as Record<string, any>;
    expect(typeof value.title).toBe('string');
    expect(value.rating).toBeGreaterThanOrEqual(1);
    expect(value.rating).toBeLessThanOrEqual(5);
    expect([1, 2]).toContain(value.count);
    expect(typeof value.done).toBe('boolean');
    expect(value.nothing).toBeNull();
    expect(value.tags).toHaveLength(4);
  });

  it('honours enum, const, string lengths, formats and multipleOf', () => {
    for (let seed = 1; seed < 30; seed++) {
      const value = sampleFromSchema(
        {
          type: 'object',
          properties: {
            kind: { enum: ['a', 'b'] },
            version: { const: 2 },
            code: { type: 'string', minLength: 40, maxLength: 50 },
            short: { type: 'string', maxLength: 5 },
            when: { type: 'string', format: 'date-time' },
            step: { type: 'number', minimum: 0, maximum: 1, multipleOf: 0.25 },
          },
        },
        context(seed),
      ) as Record<string, any>;
      expect(['a', 'b']).toContain(value.kind);
      expect(value.version).toBe(2);
      expect(value.code.length).toBeGreaterThanOrEqual(40);
      expect(value.code.length).toBeLessThanOrEqual(50);
      expect(value.short.length).toBeLessThanOrEqual(5);
      expect(Number.isNaN(Date.parse(value.when))).toBe(false);
      expect([0, 0.25, 0.5, 0.75, 1]).toContain(value.step);
    }
  });

  it('resolves $ref, anyOf and allOf, and terminates on recursive schemas', () => {
    const value = sampleFromSchema(
      {
        type: 'object',
        required: ['root'],
        properties: {
          root: { $ref: '#/definitions/node' },
          maybe: { anyOf: [{ type: 'null' }, { type: 'integer', minimum: 5, maximum: 5 }] },
          both: {
            allOf: [{ type: 'object', properties: { a: { const: 1 } } }, { properties: { b: { const: 2 } } }],
          },
        },
        definitions: {
          node: {
            type: 'object',
            required: ['name', 'children'],
            properties: {
              name: { type: 'string' },
              children: { type: 'array', items: { $ref: '#/definitions/node' } },
            },
          },
        },
      },
      context(),
    ) as Record<string, any>;
    expect(value.root.name).toBe('Mira');
    expect(Array.isArray(value.root.children)).toBe(true);
    expect(value.maybe).toBe(5);
    expect(value.both).toEqual({ a: 1, b: 2 });
  });

  it('writes image prompts for prompt-like fields', () => {
    const value = sampleFromSchema(
      { type: 'object', properties: { image_prompt: { type: 'string' } } },
      context(),
    ) as {
      image_prompt: string;
    };
    expect(value.image_prompt).toContain('a walk by the sea');
  });
});
