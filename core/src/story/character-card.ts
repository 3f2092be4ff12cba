import { z } from 'zod';
import { ValidationError } from '../errors.js';

/** The fields of a community character card that a Dreamloom character keeps. */
export interface ImportedCharacterCard {
  name: string;
  description: string;
  personality: string;
  background: string;
  talkativeness?: number;
  /** The card's own PNG (the avatar in which the card travels), when it came as one. */
  image: Buffer | null;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Our character fields' limit (the create endpoint's schema). */
const MAX_FIELD = 20_000;

/** A text field: a value of another type counts as absent; an overlong one is refused, not cut. */
const text = z.preprocess(
  (value) => (typeof value === 'string' ? value : undefined),
  z.string().max(MAX_FIELD, `A card field is longer than ${MAX_FIELD} characters`).optional(),
);
/**
 * The parts of a SillyTavern card (V1 at the top level; V2/V3 under `data`) that map onto a
 * character. Unknown fields are ignored; fields of the wrong type count as absent.
 */
const cardData = z.object({
  name: z.string().trim().min(1, 'The card has no name').max(128, 'The card name is longer than 128'),
  description: text,
  personality: text,
  scenario: text,
  mes_example: text,
  extensions: z
    .object({ talkativeness: z.union([z.number(), z.string()]).optional() })
    .partial()
    .optional()
    .catch(undefined),
});

/**
 * Reads a character card: a PNG carrying the card as base64 JSON in a `ccv3` or `chara` tEXt
 * chunk (SillyTavern's format, V3 preferred when both are present), or the card's JSON itself.
 * Card V1 keeps its fields at the top level, V2 and V3 under `data`. The scenario becomes the
 * character's background; example dialogue (`mes_example`) is kept at the end of the
 * description, where the prompt carries it; talkativeness comes from SillyTavern's extension.
 * Anything unreadable is a ValidationError naming what is wrong.
 */
export function readCharacterCard(file: Buffer): ImportedCharacterCard {
  const isPng = file.subarray(0, 8).equals(PNG_SIGNATURE);
  const json = isPng ? cardFromPng(file) : file.toString('utf8').trim();
  if (!isPng && !json.startsWith('{'))
    throw new ValidationError('Not a character card: expected a PNG card or its JSON');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ValidationError('The character card is not valid JSON');
  }
  const root = (parsed ?? {}) as { spec?: unknown; data?: unknown };
  const versioned = typeof root.spec === 'string' && root.spec.startsWith('chara_card_');
  const result = cardData.safeParse(versioned ? root.data : parsed);
  if (!result.success)
    throw new ValidationError(
      `Invalid character card: ${result.error.issues.map((issue) => issue.message).join('; ')}`,
    );
  const card = result.data;
  const description = [
    card.description?.trim(),
    card.mes_example?.trim() && `Example dialogue:\n${card.mes_example.trim()}`,
  ]
    .filter(Boolean)
    .join('\n\n');
  if (description.length > MAX_FIELD)
    throw new ValidationError(`The card's description and examples are longer than ${MAX_FIELD} characters`);
  const talkativeness = Number(card.extensions?.talkativeness);
  return {
    name: card.name,
    description,
    personality: card.personality?.trim() ?? '',
    background: card.scenario?.trim() ?? '',
    talkativeness: Number.isFinite(talkativeness) ? Math.min(1, Math.max(0, talkativeness)) : undefined,
    image: isPng ? file : null,
  };
}

/** The card JSON inside a PNG's tEXt chunks. */
function cardFromPng(png: Buffer): string {
  const found = new Map<string, string>();
  for (let offset = 8; offset + 12 <= png.length;) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (end > png.length) break;
    if (type === 'tEXt') {
      const data = png.subarray(offset + 8, offset + 8 + length);
      const separator = data.indexOf(0);
      if (separator > 0) {
        const keyword = data.toString('latin1', 0, separator).toLowerCase();
        if (keyword === 'ccv3' || keyword === 'chara')
          found.set(keyword, data.toString('latin1', separator + 1));
      }
    }
    if (type === 'IEND') break;
    offset = end;
  }
  const encoded = found.get('ccv3') ?? found.get('chara');
  if (!encoded) throw new ValidationError('This PNG carries no character card (no chara/ccv3 text chunk)');
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  if (!decoded.trim().startsWith('{')) throw new ValidationError('The PNG card is not base64-encoded JSON');
  return decoded;
}
