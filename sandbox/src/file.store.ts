import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StoredFile {
  id: string;
  ext: string;
  contentType: string;
  path: string;
  size: number;
  /** False for shared assets (the sample MP4) that must never be deleted. */
  owned: boolean;
  /** Set for Jimeng outputs: only a validly signed, unexpired URL serves them. */
  signed: boolean;
}

export type FileCheck = { ok: true; file: StoredFile } | { ok: false; status: 403 | 404; reason: string };

/** Keeps generated outputs on disk (not in memory) and forgets the oldest past this many. */
const MAX_FILES = 2000;

/**
 * Generated files live in a temp dir that close() removes. Jimeng URLs are signed and expire
 * like its CDN's (`x-expires` + `x-signature`); other providers' URLs are plain.
 */
export class FileStore {
  private dir: string | undefined;
  private readonly files = new Map<string, StoredFile>();
  private readonly secret = randomBytes(32);

  constructor(private readonly now: () => number) {}

  async init(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'dreamloom-sandbox-'));
  }

  async put(
    data: Buffer,
    ext: string,
    contentType: string,
    options: { signed?: boolean } = {},
  ): Promise<StoredFile> {
    if (!this.dir) throw new Error('FileStore not initialised');
    const id = randomUUID().replaceAll('-', '');
    const path = join(this.dir, `${id}.${ext}`);
    await writeFile(path, data);
    return this.add({
      id,
      ext,
      contentType,
      path,
      size: data.length,
      owned: true,
      signed: options.signed ?? false,
    });
  }

  /** Serves an existing file (a bundled asset) under a fresh id. */
  registerShared(
    path: string,
    ext: string,
    contentType: string,
    size: number,
    options: { signed?: boolean } = {},
  ): StoredFile {
    const id = randomUUID().replaceAll('-', '');
    return this.add({ id, ext, contentType, path, size, owned: false, signed: options.signed ?? false });
  }

  read(file: StoredFile): Promise<Buffer> {
    return readFile(file.path);
  }

  /** `/files/<id>.<ext>?x-expires=…&x-signature=…` valid for `ttlSec` from the sandbox clock. */
  signedPath(file: StoredFile, ttlSec: number): string {
    const expires = Math.floor(this.now() / 1000) + Math.max(1, Math.round(ttlSec));
    const name = `${file.id}.${file.ext}`;
    const query = new URLSearchParams({
      'x-expires': String(expires),
      'x-signature': this.sign(name, expires),
    });
    return `/files/${name}?${query.toString()}`;
  }

  plainPath(file: StoredFile): string {
    return `/files/${file.id}.${file.ext}`;
  }

  /** Decides whether a request for `name` with these query params may be served. */
  check(name: string, query: Record<string, string | string[] | undefined>): FileCheck {
    const match = /^([0-9a-f]{32})\.([a-z0-9]+)$/.exec(name);
    const file = match ? this.files.get(match[1]) : undefined;
    if (!file || file.ext !== match?.[2]) return { ok: false, status: 404, reason: 'NoSuchKey' };
    const expiresRaw = first(query['x-expires']);
    const signature = first(query['x-signature']);
    if (expiresRaw === undefined && signature === undefined) {
      return file.signed
        ? { ok: false, status: 403, reason: 'AccessDenied: missing signature' }
        : { ok: true, file };
    }
    const expires = Number(expiresRaw);
    if (!Number.isFinite(expires) || !signature || !safeEqual(signature, this.sign(name, expires))) {
      return { ok: false, status: 403, reason: 'SignatureDoesNotMatch' };
    }
    if (this.now() / 1000 > expires)
      return { ok: false, status: 403, reason: 'AccessDenied: Request has expired' };
    return { ok: true, file };
  }

  async clear(): Promise<void> {
    const owned = [...this.files.values()].filter((file) => file.owned);
    this.files.clear();
    await Promise.all(owned.map((file) => unlink(file.path).catch(() => undefined)));
  }

  async close(): Promise<void> {
    this.files.clear();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private add(file: StoredFile): StoredFile {
    this.files.set(file.id, file);
    while (this.files.size > MAX_FILES) {
      const [oldestId, oldest] = this.files.entries().next().value as [string, StoredFile];
      this.files.delete(oldestId);
      if (oldest.owned) void unlink(oldest.path).catch(() => undefined);
    }
    return file;
  }

  private sign(name: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${name}:${expires}`).digest('base64');
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
