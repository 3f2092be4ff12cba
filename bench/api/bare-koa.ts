/**
 * The floor for `bench:api`: a bare Koa process answering each benchmarked URL with the very body
 * Dreamloom answered it with (read once before the run), and nothing else: no auth, no database,
 * no validation, no middleware. Measured in the same run as Dreamloom, it shows what one Node
 * process on this machine can serve at all (HTTP parsing, Koa, the socket writes).
 *
 * Env: BARE_PORT, BARE_BODIES (a JSON file: { "<path?query>": { "type": "...", "body": "..." } }).
 */
import { readFileSync } from 'node:fs';
import Koa from 'koa';

interface StoredAnswer {
  type: string;
  body: string;
}

const answers = JSON.parse(readFileSync(process.env.BARE_BODIES!, 'utf8')) as Record<string, StoredAnswer>;

const app = new Koa();
app.use((ctx) => {
  const answer = answers[ctx.url];
  if (!answer) {
    ctx.status = 404;
    return;
  }
  ctx.type = answer.type;
  ctx.body = answer.body;
});
app.listen(Number(process.env.BARE_PORT), '127.0.0.1');
