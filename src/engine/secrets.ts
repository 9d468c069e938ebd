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
  '*.kdbx',
  '*.ovpn',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  'identity',
  '.npmrc',
  '.yarnrc.yml',
  '.pypirc',
  '.netrc',
  '_netrc',
  '.pgpass',
  '.my.cnf',
  '.git-credentials',
  '.htpasswd',
  '.vault-token',
  '.boto',
  '.s3cfg',
  'credentials',
  'credentials.json',
  'credentials.csv',
  'credentials.yml',
  'credentials.yaml',
  'kubeconfig',
  '*.kubeconfig',
  '*.tfvars',
  '*.tfstate',
  '*.tfstate.*',
  'secrets.*',
] as const;

/** Paths whose base name alone says little (`config`) but whose folder says credentials. */
export const SECRET_PATH_GLOBS = [
  '**/.aws/*',
  '**/.kube/config',
  '**/.docker/config.json',
  '**/.ssh/*',
  '**/.gnupg/**',
  '**/.config/gcloud/**',
  '**/.azure/**',
] as const;

const EXEMPT = new Set(['.env.example', '.env.sample', '.env.template', '.env.dist']);
const matchers = SECRET_GLOBS.map((g) => picomatch(g, { dot: true, nocase: true }));
const pathMatchers = SECRET_PATH_GLOBS.map((g) => picomatch(g, { dot: true, nocase: true }));

/** True when the file's name or folder looks like it holds secrets. */
export function isSecretPath(relPath: string): boolean {
  const base = relPath.slice(relPath.lastIndexOf('/') + 1);
  if (EXEMPT.has(base.toLowerCase()) || base.endsWith('.pub')) return false;
  // A leading "/" lets `**/.aws/*` match a root-level .aws folder too.
  return matchers.some((m) => m(base)) || pathMatchers.some((m) => m(`/${relPath}`));
}
