import { VideoCatalogue } from '../../shared/video-catalogue.js';
import type { CommandData, DiscordCommand } from '../discord-command.js';
import { createImagineCommand, imagineCommandData, type ImagineCommandDeps } from './imagine.command.js';
import { storyCommandData } from './story.command.js';
import { createVideoCommand, videoCommandData } from './video.command.js';
import {
  balanceCommandData,
  createCreditsCommands,
  helpCommandData,
  historyCommandData,
  quoteCommandData,
} from './credits.command.js';
import { createShowCommand, showCommandData } from './show.command.js';

/** Every slash command definition, for the deploy script. */
export const commandData: CommandData[] = [
  imagineCommandData,
  storyCommandData,
  balanceCommandData,
  quoteCommandData,
  historyCommandData,
  showCommandData,
  videoCommandData,
  helpCommandData,
];

export type CommandDeps = ImagineCommandDeps;

/** Every slash command with its handler, for the running bot. */
export function createCommands(deps: CommandDeps): DiscordCommand[] {
  // One catalogue for /video and /quote: the server is asked once a minute at most.
  const catalogue = new VideoCatalogue(deps.imagine.dreamloom);
  return [
    createImagineCommand(deps),
    createVideoCommand({ ...deps, catalogue }),
    createShowCommand(deps),
    ...createCreditsCommands({ dreamloom: deps.imagine.dreamloom, logger: deps.imagine.logger, catalogue }),
  ];
}
