import { ApiKeyRing, digestOf, parseApiKeysFile } from '../../src/server/auth/api-keys.js';

/** The keys the tenancy tests use: one per scope, unrestricted, plus db-restricted ones. */
export const KEYS = {
  reader: 'reader-key-0123456789abcdef',
  writer: 'writer-key-0123456789abcdef',
  admin: 'admin-key-0123456789abcdef',
  readerA: 'reader-a-key-0123456789abcdef',
  writerA: 'writer-a-key-0123456789abcdef',
  writerTeam: 'writer-team-key-0123456789abcdef',
  adminAB: 'admin-ab-key-0123456789abcdef',
} as const;
export type KeyName = keyof typeof KEYS;

/** The key file those keys come from: digests for most, a plain `key` for one (as in development). */
export const KEY_FILE = [
  { name: 'reader', sha256: digestOf(KEYS.reader).toString('hex'), scopes: ['sessions:read'] },
  { name: 'writer', sha256: digestOf(KEYS.writer).toString('hex'), scopes: ['sessions:write'] },
  { name: 'admin', key: KEYS.admin, scopes: ['sessions:admin'] },
  { name: 'reader-a', sha256: digestOf(KEYS.readerA).toString('hex'), scopes: ['sessions:read'], db_connection_ids: ['db-a'] },
  { name: 'writer-a', sha256: digestOf(KEYS.writerA).toString('hex'), scopes: ['sessions:write'], db_connection_ids: ['db-a'] },
  { name: 'writer-team', sha256: digestOf(KEYS.writerTeam).toString('hex'), scopes: ['sessions:write'], db_connection_ids: ['team-*'] },
  { name: 'admin-ab', sha256: digestOf(KEYS.adminAB).toString('hex'), scopes: ['sessions:admin'], db_connection_ids: ['db-a', 'db-b'] },
];

/** A ring holding `KEY_FILE`, parsed as the server parses the file. */
export const testKeyRing = () => new ApiKeyRing(parseApiKeysFile(JSON.stringify(KEY_FILE)));

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
