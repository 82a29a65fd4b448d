/**
 * Input limits shared by the domain validation and the HTTP schemas, so the two can never
 * disagree about a number.
 */
export const LIMITS = {
  dbConnectionIdMaxLength: 256,
  titleMaxLength: 256,
  recursionLimitMin: 1,
  recursionLimitMax: 500,
  recursionLimitDefault: 100,
  metadataMaxBytes: 64 * 1024,
  metadataMaxDepth: 10,
  listLimitMin: 1,
  listLimitMax: 1000,
  listLimitDefault: 100,
} as const;

/** Object keys refused anywhere in metadata: they are prototype-pollution vectors. */
export const FORBIDDEN_METADATA_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Mode of a session created without one. */
export const DEFAULT_MODE = 'full_autonomy' as const;
