import { bodyParser } from '@koa/bodyparser';
import Koa, { type Context } from 'koa';
import { controlRouter } from './control.routes.js';
import { filesRouter } from './files.routes.js';
import { googleError } from './gemini-errors.js';
import { geminiRouter } from './gemini.routes.js';
import { body as jimengBody } from './jimeng-errors.js';
import { jimengRouter } from './jimeng.routes.js';
import { kieError } from './kie-errors.js';
import { kieRouter } from './kie.routes.js';
import { invalidRequest, serverError } from './openai-errors.js';
import { openAiRouter } from './openai.routes.js';
import type { SandboxState } from './sandbox-state.js';

type Failure = 'not-found' | 'bad-json' | 'crash';

/** Answers an unrouted path, unparsable JSON or a crash the way that provider would. */
function providerFailure(ctx: Context, failure: Failure, detail: string): void {
  const provider = ctx.path.split('/')[1];
  ctx.type = 'application/json';
  if (provider === 'jimeng') {
    // The gateway answers everything, even unknown paths, with HTTP 200 and a code.
    ctx.status = 200;
    ctx.body =
      failure === 'not-found'
        ? jimengBody(
            -1000,
            `[请求有误]: 请检查API文档确认正确的请求路径，当前请求为 ${ctx.method} -> ${ctx.path} 请纠正`,
          )
        : jimengBody(-1000, failure === 'bad-json' ? `无效的JSON格式: ${detail}` : detail);
  } else if (provider === 'kie') {
    ctx.status = 200;
    ctx.body =
      failure === 'not-found'
        ? kieError(404)
        : failure === 'bad-json'
          ? kieError(422, 'Invalid JSON')
          : kieError(500);
  } else if (provider === 'gemini') {
    const error =
      failure === 'not-found'
        ? googleError(404, 'Method not found.')
        : failure === 'bad-json'
          ? googleError(400, `Invalid JSON payload received. ${detail}`)
          : googleError(500);
    ctx.status = error.status;
    ctx.body = error.body;
  } else if (provider === 'openai') {
    const error =
      failure === 'not-found'
        ? {
            status: 404,
            body: {
              error: {
                message: `Invalid URL (${ctx.method} ${ctx.path})`,
                type: 'invalid_request_error',
                param: null,
                code: null,
              },
            },
          }
        : failure === 'bad-json'
          ? invalidRequest(
              "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
              null,
            )
          : serverError();
    ctx.status = error.status;
    ctx.body = error.body;
  } else {
    ctx.status = failure === 'not-found' ? 404 : failure === 'bad-json' ? 400 : 500;
    ctx.body = { error: failure === 'crash' ? 'internal error' : detail };
  }
}

/** The Koa app: one router per provider prefix, generated files, and the control API. */
export function createApp(state: SandboxState, log: (line: string) => void): Koa {
  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 400 || status === 415) {
        providerFailure(ctx, 'bad-json', (error as Error).message);
      } else {
        log(`sandbox: ${ctx.method} ${ctx.path} failed: ${(error as Error).stack ?? String(error)}`);
        providerFailure(ctx, 'crash', (error as Error).message);
      }
      return;
    }
    if (ctx.status === 404 && ctx.body == null) providerFailure(ctx, 'not-found', 'Not Found');
  });
  // Gemini requests carry base64 images inline, so the JSON limit is generous.
  app.use(bodyParser({ enableTypes: ['json', 'form'], jsonLimit: '64mb', formLimit: '8mb' }));
  for (const router of [
    jimengRouter(state),
    kieRouter(state),
    geminiRouter(state),
    openAiRouter(state),
    filesRouter(state),
    controlRouter(state),
  ]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  // Client disconnects mid-answer are expected (cancelled generations); nothing to report.
  app.on('error', (error: Error & { code?: string }) => {
    if (['ECONNRESET', 'EPIPE', 'ECANCELED', 'ERR_STREAM_PREMATURE_CLOSE'].includes(error.code ?? '')) return;
    log(`sandbox: ${error.message}`);
  });
  return app;
}
