/**
 * The pinned real-code corpus: code nobody here wrote, for tests and benchmarks. npm
 * packages come from the npm registry (`npm pack`), Debian packages from Debian's archive
 * (`apt-get download`); both are reached by CI and every developer machine.
 */
export interface CorpusPackage {
  kind: 'npm' | 'deb';
  name: string;
  /** Exact version. A Debian pin that is gone (a security update) falls back to apt's candidate. */
  version: string;
  /**
   * npm: the tarball's top folder. deb: a folder inside the package, stripped from the output
   * (it may hold one `*`), or an archive inside it (`.tar.*`, `.zip`) that is unpacked in turn.
   */
  root: string;
  /** Paths under `root` to keep; `.` keeps all of it. */
  keep: readonly string[];
  /** tar `--exclude` patterns: they match any trailing part of a path. */
  exclude?: readonly string[];
}

/** Only these extensions are kept; so are no symlinks, `*.min.*` files or files over 1 MiB. */
export const CORPUS_EXTENSIONS = [
  'ts',
  'tsx',
  'js',
  'mjs',
  'py',
  'go',
  'rs',
  'java',
  'c',
  'h',
  'cc',
  'cpp',
  'hpp',
  'rb',
  'php',
  'cs',
  'kt',
  'swift',
  'sh',
] as const;
export const CORPUS_MAX_FILE_BYTES = 1024 * 1024;

const npm = (name: string, version: string, keep: string[], exclude?: string[]): CorpusPackage => ({
  kind: 'npm',
  name,
  version,
  root: 'package',
  keep,
  ...(exclude ? { exclude } : {}),
});
const deb = (
  name: string,
  version: string,
  root: string,
  keep: string[],
  exclude?: string[],
): CorpusPackage => ({
  kind: 'deb',
  name,
  version,
  root,
  keep,
  ...(exclude ? { exclude } : {}),
});

/** 513 files: TypeScript (zod), Python (rich), Go (the Prometheus client); about 5 MB. */
const SMALL: readonly CorpusPackage[] = [
  npm('zod', '4.6.7', ['src']),
  deb('python3-rich', '13.3.1-1', 'usr/lib/python3/dist-packages', ['rich']),
  deb('golang-github-prometheus-client-golang-dev', '1.14.0-3', 'usr/share/gocode/src', ['.']),
];

/** About 13,600 files in 11 languages, 137 MB. */
const LARGE: readonly CorpusPackage[] = [
  ...SMALL,
  npm('rxjs', '7.8.2', ['src']),
  npm('effect', '4.1.0', ['src']),
  npm('three', '0.187.0', ['src', 'examples/jsm'], ['jsm/libs']),
  npm('lodash-es', '4.18.1', ['.']),
  deb('python3-django', '3:3.2.25-0+deb12u7', 'usr/lib/python3/dist-packages', ['django']),
  deb('python3-sympy', '1.11.1-1', 'usr/lib/python3/dist-packages', ['sympy'], ['integrals/rubi']),
  deb('golang-golang-x-tools-dev', '1:0.5.0+ds-1', 'usr/share/gocode/src', ['.']),
  deb('golang-github-gin-gonic-gin-dev', '1.8.1-1', 'usr/share/gocode/src', ['.']),
  deb('rust-src', '1.63.0+dfsg1-2', 'usr/src/rustc-*', [
    'library/core',
    'library/alloc',
    'library/std',
    'library/proc_macro',
    'library/test',
  ]),
  deb('librust-tokio-dev', '1.24.2-1', 'usr/share/cargo/registry', ['.']),
  deb('librust-syn-dev', '1.0.107-1', 'usr/share/cargo/registry', ['.']),
  deb('librust-regex-dev', '1.7.1-1', 'usr/share/cargo/registry', ['.']),
  deb('librust-serde-dev', '1.0.152-2', 'usr/share/cargo/registry', ['.']),
  deb('librust-serde-json-dev', '1.0.87-1', 'usr/share/cargo/registry', ['.']),
  deb('xorg-server-source', '2:21.1.7-3+deb12u13', 'usr/src/xorg-server.tar.xz', ['.']),
  deb('libboost1.81-dev', '1.81.0-5+deb12u1', 'usr/include', [
    'boost/asio',
    'boost/beast',
    'boost/json',
    'boost/url',
    'boost/system',
    'boost/filesystem',
    'boost/mp11',
  ]),
  deb('openjfx-source', '11.0.11+1-3', 'usr/share/openjfx/lib/src.zip', ['.']),
  deb('ruby-activesupport', '2:6.1.7.10+dfsg-1~deb12u3', 'usr/share/rubygems-integration/all/gems', ['.']),
  deb('ruby-rack', '2.2.22-0+deb12u2', 'usr/share/rubygems-integration/all/gems', ['.']),
  deb('php-twig', '3.5.1-1+deb12u3', 'usr/share/php', ['Twig']),
  deb('php-symfony-console', '5.4.53+dfsg-0+deb12u1', 'usr/share/php', ['Symfony/Component/Console']),
];

export type CorpusSize = 'small' | 'large';

export const CORPUS_PACKAGES: Record<CorpusSize, readonly CorpusPackage[]> = { small: SMALL, large: LARGE };
