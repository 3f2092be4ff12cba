import { z } from 'zod';
import { AppError, ValidationError } from '../errors.js';
import type { ChatProvider } from '../ports/chat-provider.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { AnimePromptRepository } from './anime-prompt.repository.js';

export const PRESET_KINDS = ['style', 'scene', 'outfit', 'action'] as const;
export type PresetKind = (typeof PRESET_KINDS)[number];

export interface OptimizedPrompt {
  original_prompt: string;
  optimized_prompt: string;
  improvements: string[];
}

export interface TemplateView {
  template_key: string;
  name: string;
  template: string;
  variables: TemplateVariable[];
  llm_instructions: string | null;
  is_active: boolean;
}

export interface TemplateInput {
  name: string;
  template: string;
  variables: TemplateVariable[];
  llm_instructions?: string | null;
  is_active?: boolean;
}

export interface PresetInput {
  name: string;
  prompt: string;
  sort_order?: number;
  is_active?: boolean;
}

export interface PresetView {
  kind: PresetKind;
  key: string;
  name: string;
  prompt: string;
}

/** Staff view of a preset: inactive ones too, with their ordering. */
export interface PresetAdminView extends PresetView {
  sort_order: number;
  is_active: boolean;
}

const variableSchema = z.object({
  name: z.string().min(1),
  type: z.enum(['string', 'number', 'boolean', 'enum']).default('string'),
  required: z.boolean().default(false),
  options: z.array(z.string()).optional(),
  description: z.string().optional(),
});
export type TemplateVariable = z.infer<typeof variableSchema>;

const optimizedSchema = z.object({
  optimized_prompt: z.string(),
  improvements: z.array(z.string()),
});
const builtSchema = z.object({ prompt: z.string() });

interface Deps {
  prompts: AnimePromptRepository;
  chat: ChatProvider;
  ids: IdGenerator;
  clock: Clock;
  /** Upstream model name for prompt work. */
  llmModel: string;
}

/**
 * Prompt tools of contracts 000/001: LLM optimisation with structured output, template-based
 * prompt building (build-extract-prompt) and the preset catalog.
 */
export class AnimePromptService {
  constructor(private readonly deps: Deps) {}

  async optimize(
    kind: 'image' | 'video',
    input: { prompt: string; style?: string; scene?: string; outfit?: string; duration?: string },
  ): Promise<OptimizedPrompt> {
    const prompt = input.prompt.trim();
    if (!prompt) throw new ValidationError('prompt is required');
    const hints = [
      input.style && `style: ${input.style}`,
      input.scene && `scene: ${input.scene}`,
      input.outfit && `outfit: ${input.outfit}`,
      input.duration && `duration: ${input.duration}`,
    ].filter(Boolean);
    const system =
      kind === 'video'
        ? 'You improve prompts for anime video generation: subject, motion, camera movement, pacing, lighting. Keep the user intent. Answer in JSON.'
        : 'You improve prompts for anime image generation: subject, composition, style, lighting, details. Keep the user intent. Answer in JSON.';
    const result = await this.structured(
      system,
      `Prompt: ${prompt}${hints.length ? `\n${hints.join('\n')}` : ''}`,
      'optimized_prompt',
      {
        type: 'object',
        properties: {
          optimized_prompt: { type: 'string', minLength: 1 },
          improvements: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 5 },
        },
        required: ['optimized_prompt', 'improvements'],
        additionalProperties: false,
      },
      optimizedSchema,
      'LLM_OPTIMIZE_FAILED',
    );
    const optimized = result.optimized_prompt.trim();
    if (!optimized)
      throw new AppError('LLM_OPTIMIZE_FAILED', 'The LLM returned an empty prompt', { status: 502 });
    return { original_prompt: prompt, optimized_prompt: optimized, improvements: result.improvements };
  }

  /**
   * build-extract-prompt: fills a stored template with typed variables, then (by default) lets
   * the LLM turn it into the final prompt. Error codes exactly as contract 000 lists them.
   */
  async buildFromTemplate(input: {
    templateKey: string;
    params: Record<string, unknown>;
    useLlm: boolean;
  }): Promise<{ prompt: string }> {
    const template = await this.deps.prompts.activeTemplate(input.templateKey);
    if (!template)
      throw new AppError('TEMPLATE_NOT_FOUND', `Template ${input.templateKey} not found`, { status: 404 });
    const variables = z.array(variableSchema).parse(JSON.parse(template.variables));
    const values: Record<string, string> = {};
    for (const variable of variables) {
      const raw = input.params[variable.name];
      const empty = raw === undefined || raw === null || (typeof raw === 'string' && !raw.trim());
      if (empty) {
        if (variable.required)
          throw new AppError('REQUIRED_FIELD_MISSING', `template_params.${variable.name} is required`, {
            status: 400,
          });
        values[variable.name] = '';
        continue;
      }
      values[variable.name] = checkType(variable, raw);
    }
    const filled = template.template
      .replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_, name: string) => values[name] ?? '')
      .replace(/\s+/g, ' ')
      .replace(/\s+([.,;:!?])/g, '$1')
      .trim();
    let prompt = filled;
    if (input.useLlm && filled) {
      const built = await this.structured(
        template.llm_instructions ??
          'Turn the description into one vivid English prompt for anime image generation. Answer in JSON.',
        filled,
        'built_prompt',
        {
          type: 'object',
          properties: { prompt: { type: 'string' } },
          required: ['prompt'],
          additionalProperties: false,
        },
        builtSchema,
        'LLM_BUILD_FAILED',
      );
      prompt = built.prompt.trim();
    }
    if (!prompt || /^[\s.,;:!?"'-]*$/.test(prompt))
      throw new AppError('PROMPT_EMPTY', 'The built prompt is empty', { status: 500, expose: true });
    return { prompt };
  }

  async listPresets(kind?: PresetKind): Promise<PresetView[]> {
    const rows = await this.deps.prompts.activePresets(kind);
    return rows.map((row) => ({
      kind: row.kind as PresetKind,
      key: row.preset_key,
      name: row.name,
      prompt: row.prompt,
    }));
  }

  /** Looks chosen presets up (by key or name); an unknown one is a 400 naming it. */
  async resolvePresets(chosen: Partial<Record<PresetKind, string | undefined>>): Promise<PresetView[]> {
    const found: PresetView[] = [];
    for (const kind of PRESET_KINDS) {
      const value = chosen[kind]?.trim();
      if (!value) continue;
      const rows = await this.deps.prompts.activePresetsOf(kind);
      const row = rows.find(
        (each) => each.preset_key === value || each.name.toLowerCase() === value.toLowerCase(),
      );
      if (!row) throw new AppError('PRESET_NOT_FOUND', `Unknown ${kind}_preset ${value}`, { status: 400 });
      found.push({ kind, key: row.preset_key, name: row.name, prompt: row.prompt });
    }
    return found;
  }

  /** Staff: every preset of every kind (or one kind), active or not, in menu order. */
  async listAllPresets(kind?: PresetKind): Promise<PresetAdminView[]> {
    const rows = await this.deps.prompts.presets(kind);
    return rows.map((row) => ({
      kind: row.kind as PresetKind,
      key: row.preset_key,
      name: row.name,
      prompt: row.prompt,
      sort_order: row.sort_order,
      is_active: Boolean(row.is_active),
    }));
  }

  /** Staff: every template, active or not. */
  async listTemplates(): Promise<TemplateView[]> {
    const rows = await this.deps.prompts.templates();
    return rows.map((row) => ({
      template_key: row.template_key,
      name: row.name,
      template: row.template,
      variables: z.array(variableSchema).parse(JSON.parse(row.variables)),
      llm_instructions: row.llm_instructions,
      is_active: Boolean(row.is_active),
    }));
  }

  /** Staff: creates or replaces a template; every `{{name}}` it uses must be a declared variable. */
  async saveTemplate(key: string, input: TemplateInput): Promise<TemplateView> {
    const variables = z.array(variableSchema).parse(input.variables);
    const declared = new Set(variables.map((variable) => variable.name));
    for (const [, name] of input.template.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) {
      if (!declared.has(name!)) throw new ValidationError(`template uses undeclared variable ${name}`);
    }
    for (const variable of variables) {
      if (variable.type === 'enum' && !variable.options?.length)
        throw new ValidationError(`variable ${variable.name} is an enum without options`);
    }
    const now = this.deps.clock.now();
    const values = {
      name: input.name,
      template: input.template,
      variables: JSON.stringify(variables),
      llm_instructions: input.llm_instructions ?? null,
      is_active: input.is_active ?? true,
      updated_at: now,
    };
    await this.deps.prompts.saveTemplate(key, values, { id: this.deps.ids.uuid(), created_at: now });
    return { template_key: key, ...values, variables, is_active: values.is_active };
  }

  /** Staff: creates or replaces a preset. */
  async savePreset(kind: PresetKind, key: string, input: PresetInput): Promise<PresetView> {
    const now = this.deps.clock.now();
    const values = {
      name: input.name,
      prompt: input.prompt,
      sort_order: input.sort_order ?? 0,
      is_active: input.is_active ?? true,
      updated_at: now,
    };
    await this.deps.prompts.savePreset(kind, key, values, { id: this.deps.ids.uuid(), created_at: now });
    return { kind, key, name: input.name, prompt: input.prompt };
  }

  private async structured<T>(
    system: string,
    user: string,
    name: string,
    schema: Record<string, unknown>,
    parser: z.ZodType<T>,
    failureCode: string,
  ): Promise<T> {
    let content: string;
    let finishReason: string;
    try {
      const result = await this.deps.chat.complete({
        model: this.deps.llmModel,
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: user },
        ],
        temperature: 0.7,
        maxTokens: 800,
        responseFormat: { type: 'json_schema', json_schema: { name, schema, strict: true } },
      });
      content = result.content;
      finishReason = result.finishReason;
    } catch (error) {
      throw new AppError(failureCode, `The LLM failed: ${(error as Error).message}`, {
        status: 502,
        expose: true,
        cause: error,
      });
    }
    if (finishReason === 'length')
      throw new AppError(failureCode, 'The LLM answer was cut off', { status: 502, expose: true });
    try {
      return parser.parse(JSON.parse(content));
    } catch (error) {
      throw new AppError(failureCode, 'The LLM answered malformed JSON', {
        status: 502,
        expose: true,
        cause: error,
      });
    }
  }
}

function checkType(variable: TemplateVariable, raw: unknown): string {
  const wrong = () => new ValidationError(`template_params.${variable.name} must be a ${variable.type}`);
  switch (variable.type) {
    case 'number':
      if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
      if (typeof raw === 'string' && raw.trim() && Number.isFinite(Number(raw))) return raw.trim();
      throw wrong();
    case 'boolean':
      if (typeof raw === 'boolean') return raw ? 'yes' : 'no';
      throw wrong();
    case 'enum':
      if (typeof raw === 'string' && (variable.options ?? []).includes(raw)) return raw;
      throw new ValidationError(
        `template_params.${variable.name} must be one of ${(variable.options ?? []).join(', ')}`,
      );
    default:
      if (typeof raw === 'string' || typeof raw === 'number') return String(raw).trim().slice(0, 2000);
      throw wrong();
  }
}
