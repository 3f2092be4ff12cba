// The wire shapes of Dreamloom's API, one file per contract family (000/001 anime, 002 story chat,
// 003 Jimeng studio, 004 NanoBanana, staff). The server validates requests and documents responses
// with them; the bots' client and the admin parse what the server answers with the same schemas, so
// a change to a field is one edit here and a type error wherever it matters.
export * from './jimeng.js';
export * from './staff.js';
export * from './anime.js';
export * from './story-chat.js';
export * from './nanobanana.js';
export * from './story-catalog.js';
