const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A duration such as `90s`, `15m`, `24h` or `7d` in milliseconds, or `undefined` when the text
 * is not one: a whole number from 1 followed by one unit (`s`, `m`, `h` or `d`).
 */
export function parseDuration(text: string): number | undefined {
  const match = /^([1-9][0-9]{0,8})(s|m|h|d)$/.exec(text.trim());
  return match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : undefined;
}
