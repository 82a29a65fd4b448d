import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyRing, digestOf, parseApiKeysFile, plainApiKeys } from '../../src/server/auth/api-keys.js';
import { loadConfig } from '../../src/server/config.js';
import { KEY_FILE, KEYS } from './keys.js';

const digest = (key: string) => digestOf(key).toString('hex');

function fileProblem(entries: unknown): string {
  try {
    parseApiKeysFile(JSON.stringify(entries), 'keys.json');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the file to be refused');
}

describe('API_KEYS_FILE', () => {
  it('reads digest and plain-key entries with name, scopes and db connections', () => {
    const [reader, , admin, readerA] = parseApiKeysFile(JSON.stringify(KEY_FILE));
    expect(reader.principal).to.deep.equal({ name: 'reader', scopes: ['sessions:read'] });
    expect(admin.digest.equals(digestOf(KEYS.admin))).to.equal(true);
    expect(readerA.principal).to.deep.equal({ name: 'reader-a', scopes: ['sessions:read'], dbConnectionIds: ['db-a'] });
  });

  it('finds the principal of a key, and nothing for an unknown one', () => {
    const ring = new ApiKeyRing([...plainApiKeys(['plain-key-0123456789']), ...parseApiKeysFile(JSON.stringify(KEY_FILE))]);
    expect(ring.principalFor(KEYS.writerTeam)?.name).to.equal('writer-team');
    expect(ring.principalFor('plain-key-0123456789')).to.deep.equal({ name: 'API_KEYS[0]', scopes: ['sessions:admin'] });
    expect(ring.principalFor('unknown-key-0123456789')).to.equal(undefined);
    ring.replace([]);
    expect(ring.principalFor(KEYS.writerTeam)).to.equal(undefined);
  });

  const BAD: Array<[string, unknown, RegExp]> = [
    ['not an array', { name: 'x' }, /must hold a JSON array/],
    ['an entry without a name', [{ sha256: digest('k'), scopes: ['sessions:read'] }], /entry 0: "name" must be/],
    ['an unknown scope', [{ name: 'ci', sha256: digest('k'), scopes: ['sessions:everything'] }], /entry 0 \("ci"\): "scopes" "sessions:everything" is not one of/],
    ['no scopes', [{ name: 'ci', sha256: digest('k'), scopes: [] }], /entry 0 \("ci"\): "scopes" must be a non-empty array/],
    ['a bad digest', [{ name: 'ci', sha256: 'abc', scopes: ['sessions:read'] }], /entry 0 \("ci"\): "sha256" must be the 64-character hex/],
    ['both key and digest', [{ name: 'ci', key: 'k'.repeat(16), sha256: digest('k'), scopes: ['sessions:read'] }], /exactly one of "sha256" and "key"/],
    ['a short plain key', [{ name: 'ci', key: 'short', scopes: ['sessions:read'] }], /"key" must be a string of at least 16/],
    ['a typo', [{ name: 'ci', key: 'k'.repeat(16), scopes: ['sessions:read'], db_conection_ids: ['a'] }], /unknown field "db_conection_ids"/],
    ['a * inside a db pattern', [{ name: 'ci', key: 'k'.repeat(16), scopes: ['sessions:read'], db_connection_ids: ['a*b'] }], /"db_connection_ids" must be/],
    [
      'a repeated name',
      [
        { name: 'ci', key: 'k'.repeat(16), scopes: ['sessions:read'] },
        { name: 'ci', key: 'j'.repeat(16), scopes: ['sessions:read'] },
      ],
      /entry 1 \("ci"\): the name is used by an earlier entry/,
    ],
    [
      'a repeated key',
      [
        { name: 'a', key: 'k'.repeat(16), scopes: ['sessions:read'] },
        { name: 'b', sha256: digest('k'.repeat(16)), scopes: ['sessions:read'] },
      ],
      /entry 1 \("b"\): the key is used by an earlier entry/,
    ],
  ];
  for (const [what, entries, message] of BAD) {
    it(`refuses ${what}, naming the entry`, () => {
      expect(fileProblem(entries)).to.match(message);
    });
  }

  describe('at start-up', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-sessions-keys-'));
    const write = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };

    it('loads the file into the configuration', () => {
      const { config, problems } = loadConfig({ API_KEYS_FILE: write('good.json', JSON.stringify(KEY_FILE)) });
      expect(problems).to.deep.equal([]);
      expect(config?.apiKeyEntries.map((entry) => entry.principal.name)).to.deep.equal(KEY_FILE.map((entry) => entry.name));
    });

    it('stops with a message naming the bad entry', () => {
      const path = write('bad.json', JSON.stringify([KEY_FILE[0], { name: 'broken', sha256: 'nope', scopes: ['sessions:read'] }]));
      const { config, problems } = loadConfig({ API_KEYS_FILE: path });
      expect(config).to.equal(undefined);
      expect(problems).to.have.length(1);
      expect(problems[0].variable).to.equal('API_KEYS_FILE');
      expect(problems[0].message).to.contain(`${path} entry 1 ("broken")`);
    });

    it('stops when the file is missing or not JSON', () => {
      expect(loadConfig({ API_KEYS_FILE: join(dir, 'missing.json') }).problems[0].message).to.contain('cannot read');
      expect(loadConfig({ API_KEYS_FILE: write('text.json', 'not json') }).problems[0].message).to.contain('is not valid JSON');
    });

    it('counts as authentication for a non-loopback HOST, and contradicts AUTH=off', () => {
      const path = write('ok.json', JSON.stringify(KEY_FILE));
      expect(loadConfig({ HOST: '0.0.0.0', API_KEYS_FILE: path }).problems).to.deep.equal([]);
      expect(loadConfig({ API_KEYS_FILE: path, AUTH: 'off' }).problems[0].variable).to.equal('AUTH');
    });
  });
});
