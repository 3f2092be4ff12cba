// The fake Discord REST API lives with the bots (their offline tests use it too); re-exported
// here so cross-package tests find every platform fake under tests/fakes.
export {
  startFakeDiscordRest,
  chatInputInteraction,
  buttonInteraction,
  autocompleteInteraction,
  dispatchInteraction,
  prepareOfflineClient,
  createOfflineDiscordBot,
  type DiscordRestCall,
  type DiscordUpload,
  type FakeDiscordMessage,
  type FakeDiscordRest,
} from '@dreamloom/bots/testing';
