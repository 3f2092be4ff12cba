// The fake Telegram Bot API lives with the bots (their offline tests use it too); re-exported
// here so cross-package tests find every platform fake under tests/fakes.
export {
  startFakeTelegramBotApi,
  textMessageUpdate,
  type FakeTelegramBotApi,
  type TelegramApiCall,
  type TelegramUpload,
} from '@dreamloom/bots/testing';
