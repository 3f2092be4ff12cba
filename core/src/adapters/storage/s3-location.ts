/**
 * Where an S3-compatible bucket is, read from `STORAGE_URL`:
 * `s3://bucket[/prefix]?endpoint=http://127.0.0.1:9000&region=us-east-1&forcePathStyle=true`.
 * Credentials never go in this URL (it is printed in error messages and may reach a log):
 * they come from S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY, or else the SDK's default chain
 * (AWS_* variables, instance or task roles).
 */
export interface S3Location {
  bucket: string;
  /** Prepended to every key (no leading or trailing `/`), so deployments can share a bucket. */
  prefix: string;
  /** Unset: AWS S3 itself. */
  endpoint?: string;
  region: string;
  /** `bucket` in the path instead of the host name; most self-hosted servers (MinIO, Ceph) need it. */
  forcePathStyle: boolean;
}

const OPTIONS = new Set(['endpoint', 'region', 'forcePathStyle']);

/** Parses `STORAGE_URL`; throws an Error whose message says what is wrong (never echoing secrets). */
export function parseS3Location(value: string): S3Location {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('expected s3://bucket[/prefix]?endpoint=…&region=…&forcePathStyle=true');
  }
  if (url.protocol !== 's3:')
    throw new Error('only s3:// storage URLs are supported (unset for the local folder)');
  if (url.username || url.password)
    throw new Error('credentials do not belong in the URL: set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY');
  const bucket = url.hostname;
  // S3's own naming rule; it also keeps bucket names valid as host names for virtual-hosted style.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new Error(`invalid bucket name "${bucket}"`);
  for (const name of url.searchParams.keys())
    if (!OPTIONS.has(name)) throw new Error(`unknown option "${name}" (known: ${[...OPTIONS].join(', ')})`);
  const endpoint = url.searchParams.get('endpoint') ?? undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/?#]+\/?$/.test(endpoint))
    throw new Error('endpoint must be an http(s) origin such as http://127.0.0.1:9000');
  const forcePathStyle = url.searchParams.get('forcePathStyle') ?? 'false';
  if (forcePathStyle !== 'true' && forcePathStyle !== 'false')
    throw new Error('forcePathStyle must be true or false');
  return {
    bucket,
    prefix: decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, ''),
    endpoint,
    region: url.searchParams.get('region') ?? 'us-east-1',
    forcePathStyle: forcePathStyle === 'true',
  };
}
