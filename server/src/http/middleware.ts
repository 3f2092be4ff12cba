/**
 * The request pipeline's stages that modules outside it mount as Koa middleware, under the module
 * they were first imported from. The stages themselves are in `pipeline/`.
 */
export { errorBoundary } from './pipeline/error-boundary.js';
export { authenticate, requireRole, resolveCaller, type Caller } from './pipeline/caller.js';
export { requestContext, requestIdOf } from './pipeline/request-context.js';
