import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StoredFile } from './file.store.js';
import { renderPng, type RenderRequest } from './image-render.service.js';
import type { SandboxState } from './sandbox-state.js';

/** A 1 s 160x90 H.264 MP4 (made once with ffmpeg; the runtime never needs ffmpeg). */
export const SAMPLE_MP4_PATH = fileURLToPath(new URL('../assets/sample.mp4', import.meta.url));

export async function storeRenderedPng(
  state: SandboxState,
  request: Omit<RenderRequest, 'scale'>,
  options: { signed?: boolean } = {},
): Promise<StoredFile> {
  const png = await renderPng({ ...request, scale: state.settings.imageScale });
  return state.files.put(png, 'png', 'image/png', options);
}

export function storeSampleVideo(state: SandboxState, options: { signed?: boolean } = {}): StoredFile {
  const { size } = statSync(SAMPLE_MP4_PATH);
  return state.files.registerShared(SAMPLE_MP4_PATH, 'mp4', 'video/mp4', size, options);
}
