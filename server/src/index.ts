export { createServer, type DreamloomServer } from './app.js';
export { bootstrap, type BootstrapResult } from './bootstrap.js';
