/** What a trace search names: a stored file's key, a `/api/v1/images/…` reference, or a bare id. */
export type TraceQuery =
  | { kind: 'media_key'; key: string }
  | { kind: 'image_ref'; idOrFilename: string }
  | { kind: 'id'; id: string };

const ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Reads what staff pasted: a full media URL (any host: the admin may run behind another name), a
 * path (`/media/<key>`, `/api/v1/images/<id|filename>[/download]`), or an id/uuid. Null when it is
 * none of these.
 */
export function parseTraceQuery(raw: string): TraceQuery | null {
  const text = raw.trim();
  if (!text) return null;
  let path: string | null = null;
  if (/^https?:\/\//i.test(text)) {
    try {
      path = new URL(text).pathname;
    } catch {
      return null;
    }
  } else if (text.startsWith('/')) path = text.split(/[?#]/)[0]!;
  if (path === null) return ID.test(text) ? { kind: 'id', id: text } : null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  const media = /^\/media\/(.+)$/.exec(decoded);
  if (media && !media[1]!.split('/').includes('..')) return { kind: 'media_key', key: media[1]! };
  const image = /^\/api\/v1\/images\/([A-Za-z0-9._-]{1,128})(?:\/download)?$/.exec(decoded);
  if (image && !image[1]!.includes('..')) return { kind: 'image_ref', idOrFilename: image[1]! };
  return null;
}
