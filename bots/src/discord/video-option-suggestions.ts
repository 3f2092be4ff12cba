import type { AutocompleteInteraction } from 'discord.js';
import type { PlatformUser } from '../shared/dreamloom-client.js';
import type { Logger } from '../shared/logger.js';
import {
  durationChoices,
  modelChoices,
  qualityChoices,
  ratioChoices,
  type OptionChoice,
  type VideoCatalogue,
} from '../shared/video-catalogue.js';

export interface VideoSuggestionDeps {
  catalogue: VideoCatalogue;
  logger: Logger;
}

/**
 * Autocomplete of `/video` and `/quote`: `model` by display name, and `duration`, `ratio` and
 * `quality` narrowed to what the chosen model takes (the default model's, when one applies and
 * none is chosen yet), read from the server's catalogue.
 */
export async function suggestVideoOptions(
  interaction: AutocompleteInteraction,
  deps: VideoSuggestionDeps,
  options: { defaultModelId?: string } = {},
): Promise<void> {
  const user: PlatformUser = {
    platform: 'discord',
    id: interaction.user.id,
    username: interaction.user.globalName ?? interaction.user.username,
  };
  const focused = interaction.options.getFocused(true);
  let choices: OptionChoice[] = [];
  try {
    const models = await deps.catalogue.models(user);
    const typedModel = focused.name === 'model' ? null : interaction.options.getString('model');
    const chosen = typedModel ?? options.defaultModelId;
    const model = chosen ? await deps.catalogue.find(user, chosen) : undefined;
    switch (focused.name) {
      case 'model':
        choices = modelChoices(models, focused.value);
        break;
      case 'duration':
        choices = durationChoices(models, model, focused.value);
        break;
      case 'ratio':
        choices = ratioChoices(models, model, focused.value);
        break;
      case 'quality':
        choices = qualityChoices(models, model, focused.value);
        break;
    }
  } catch (error) {
    // No suggestions is an answer too; the member can still type a value the server checks.
    deps.logger.warn('Video option suggestions failed', { option: focused.name, error });
  }
  await interaction.respond(choices);
}
