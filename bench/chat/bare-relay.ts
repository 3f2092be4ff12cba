/**
 * The floor for `bench:chat`: a bare Node HTTP server that relays the sandbox's chat stream as
 * SSE with nothing else (no auth, no rate limit, no database, no prompt assembly). Measured in
 * the same run as Dreamloom, it shows how much of the added latency any Node relay on this
 * machine pays (parsing, an extra hop, the socket writes) and how much is Dreamloom's own.
 *
 * Env: BARE_PORT, BARE_UPSTREAM (the sandbox's /openai/v1 base), BARE_KEY.
 */
import { createServer, request, Agent } from 'node:http';

const upstream = new URL(`${process.env.BARE_UPSTREAM}/chat/completions`);
const agent = new Agent({ keepAlive: true, maxSockets: 1000 });

createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    // The bench sends the prompt it also sends directly; the relay forwards it as it is.
    const input = JSON.parse(body) as { messages: unknown[]; user?: string };
    const payload = JSON.stringify({
      model: 'sandbox-chat',
      stream: true,
      messages: input.messages,
      user: input.user,
    });
    const call = request(
      upstream,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${process.env.BARE_KEY}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (answer) => {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        let buffer = '';
        answer.setEncoding('utf8');
        answer.on('data', (chunk: string) => {
          buffer += chunk;
          let out = '';
          let boundary = buffer.indexOf('\n\n');
          while (boundary !== -1) {
            const line = buffer.slice(0, boundary);
            buffer = buffer.slice(boundary + 2);
            boundary = buffer.indexOf('\n\n');
            if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
            const content = (
              JSON.parse(line.slice(6)) as { choices: Array<{ delta?: { content?: string } }> }
            ).choices[0]?.delta?.content;
            if (content) out += `event: message\ndata: ${JSON.stringify({ content })}\n\n`;
          }
          if (out) res.write(out);
        });
        answer.on('end', () => res.end());
      },
    );
    call.on('error', () => res.destroy());
    call.end(payload);
  });
}).listen(Number(process.env.BARE_PORT), '127.0.0.1');
