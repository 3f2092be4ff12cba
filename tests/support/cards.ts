import { Op } from 'sequelize';
import type { RunningSystem } from './system.js';

/**
 * The full uuid of the generation a job card shows. Cards carry the short id members type to
 * `/show` ("ID 1a2b3c4d · /show 1a2b3c4d"), not the 36 characters; tests resolve it in the database
 * and insist that exactly one generation has it.
 */
export async function taskIdOnCard(system: RunningSystem, cardText: string): Promise<string> {
  const short = /\bID ([0-9a-f]{8})\b/.exec(cardText)?.[1];
  if (!short) throw new Error(`no short id on the card: ${cardText}`);
  const rows = await system.core.models.GenerationTask.findAll({
    where: { id: { [Op.startsWith]: short } },
    attributes: ['id'],
  });
  if (rows.length !== 1) throw new Error(`short id ${short} names ${rows.length} generations`);
  return rows[0].id;
}
