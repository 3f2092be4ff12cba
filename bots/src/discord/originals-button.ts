import {
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  MessageFlags,
  type ButtonInteraction,
} from 'discord.js';
import type { DreamloomClient } from '../shared/dreamloom-client.js';
import type { Logger } from '../shared/logger.js';

/**
 * The "Originals" button under a grid card: `dl:originals:<taskId>:<ownerId>` (at most 78 of
 * Discord's 100 characters). It names the job's owner because the server shows a generation's
 * files to its owner only, while the grid they come from is already public in the channel:
 * anyone who sees the grid may have its full-size images.
 */
export function originalsButtonId(taskId: string, ownerId: string): string {
  return `dl:originals:${taskId}:${ownerId}`;
}

export function parseOriginalsButtonId(id: string): { taskId: string; ownerId: string } | undefined {
  const match = /^dl:originals:([0-9a-f-]{1,64}):(\d{1,20})$/i.exec(id);
  return match ? { taskId: match[1], ownerId: match[2] } : undefined;
}

export function originalsButton(taskId: string, ownerId: string): ButtonBuilder {
  return new ButtonBuilder()
    .setCustomId(originalsButtonId(taskId, ownerId))
    .setLabel('🖼 Originals')
    .setStyle(ButtonStyle.Secondary);
}

/** Answers a press privately with the job's full-size images, in grid order (1…4). */
export async function answerOriginals(
  interaction: ButtonInteraction,
  deps: { dreamloom: DreamloomClient; logger: Logger },
  pressed: { taskId: string; ownerId: string },
): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const owner = { platform: 'discord' as const, id: pressed.ownerId };
  try {
    const status = await deps.dreamloom.getTaskStatus(owner, pressed.taskId);
    const outputs = (status.outputs ?? []).slice(0, 10);
    if (!outputs.length) {
      await interaction.editReply({ content: 'This job has no images to show.' });
      return;
    }
    const files = await Promise.all(outputs.map((output) => deps.dreamloom.downloadMedia(output.url)));
    await interaction.editReply({
      content: files.length > 1 ? `The ${files.length} images, in grid order:` : 'The image:',
      files: files.map(
        (file, index) =>
          new AttachmentBuilder(Buffer.from(file.bytes), { name: `${index + 1}-${file.filename}` }),
      ),
    });
  } catch (error) {
    deps.logger.warn('Originals could not be fetched', { taskId: pressed.taskId, error });
    await interaction.editReply({
      content: '❌ The original images cannot be fetched right now. Please try again later.',
    });
  }
}
