import picomatch from 'picomatch';

/** File names that usually hold credentials: skipped by search, refused by read. */
export const SECRET_GLOBS = [
  '.env',
  '.env.*',
  '*.pem',
  '*.key',
  '*.p12',
  '*.pfx',
  '*.jks',
  '*.keystore',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  '.npmrc',
  '.pypirc',
  '.netrc',
  '.git-credentials',
  'credentials.json',
  '*.tfvars',
  'secrets.*',
] as const;

const EXEMPT = new Set(['.env.example', '.env.sample', '.env.template', '.env.dist']);
const matchers = SECRET_GLOBS.map((g) => picomatch(g, { dot: true, nocase: true }));

/** True when the file's base name looks like it holds secrets. */
export function isSecretPath(relPath: string): boolean {
  const base = relPath.slice(relPath.lastIndexOf('/') + 1);
  if (EXEMPT.has(base.toLowerCase()) || base.endsWith('.pub')) return false;
  return matchers.some((m) => m(base));
}
