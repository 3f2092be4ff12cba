/** The Dreamloom mark: a crescent over a gradient tile (same drawing as public/favicon.svg). */
export function Logo({ size = 24 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 64 64" role="img" aria-label="Dreamloom">
      <defs>
        <linearGradient id="dreamloom-logo" x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="#9254de" />
          <stop offset="1" stopColor="#eb2f96" />
        </linearGradient>
      </defs>
      <rect width="64" height="64" rx="14" fill="url(#dreamloom-logo)" />
      <path d="M40 14a18 18 0 1 0 10 31A15 15 0 0 1 40 14z" fill="#fff" />
      <circle cx="46" cy="20" r="3" fill="#fff" />
    </svg>
  );
}
