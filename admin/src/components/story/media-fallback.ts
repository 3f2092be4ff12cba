/**
 * What a broken picture shows instead (antd Image's `fallback`): a grey tile with a crossed-out
 * frame, inline so it never fails itself (the admin's CSP allows data: images).
 */
export const IMAGE_FALLBACK = `data:image/svg+xml;utf8,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">' +
    '<rect width="96" height="96" fill="#f0f0f0"/>' +
    '<rect x="26" y="30" width="44" height="36" rx="3" fill="none" stroke="#bfbfbf" stroke-width="3"/>' +
    '<path d="M22 74 74 22" stroke="#bfbfbf" stroke-width="3"/></svg>',
)}`;
