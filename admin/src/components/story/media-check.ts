/** What a catalog's media field holds: a picture (thumbnails, avatars, icons) or a music track. */
export type MediaKind = 'image' | 'audio';

/** How long a URL may take to load before the form calls it broken. */
const CHECK_TIMEOUT_MS = 10_000;

/**
 * Resolves once `url` loads as `kind` in this browser, rejects when it does not (not found, not an
 * image or audio, refused by the page's policy, or too slow). The check runs here rather than on
 * the server on purpose: what matters is whether a viewer's browser can show the file — the same
 * request the story app and this admin make — and the server fetches nothing a staff member types.
 */
export function checkMediaLoads(url: string, kind: MediaKind, timeoutMs = CHECK_TIMEOUT_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    const element = kind === 'image' ? new Image() : new Audio();
    const done = (error?: Error) => {
      clearTimeout(timer);
      element.onload = element.onerror = null;
      if (element instanceof HTMLAudioElement) {
        element.onloadedmetadata = null;
        // Stop the download: only the metadata was needed.
        element.removeAttribute('src');
        element.load();
      }
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => done(new Error('timeout')), timeoutMs);
    element.onerror = () => done(new Error('load failed'));
    if (element instanceof HTMLAudioElement) {
      element.preload = 'metadata';
      element.onloadedmetadata = () => done();
    } else {
      element.onload = () => done();
    }
    element.src = url;
  });
}

/** A value worth checking: an absolute http(s) URL (anything else fails the URL rule first). */
export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const parsed = new URL(value);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}
