import { foldRuns, isKeyLine, type OutputRule, program, subcommand } from '../rule-kit.ts';
import { compactTable } from '../table.ts';

const dockerSub = (argv: readonly string[]) => {
  const sub = subcommand(argv, ['-H', '--host', '--context', '-c', '--config', '-l', '--log-level']);
  const rest = argv.slice(argv.indexOf(sub) + 1);
  // `docker container ls`, `docker image ls`, `docker compose ps`
  if (['container', 'image', 'compose', 'buildx'].includes(sub)) return `${sub} ${subcommand(['', ...rest])}`;
  return sub;
};
const kubectlSub = (argv: readonly string[]) =>
  subcommand(argv, [
    '-n',
    '--namespace',
    '--context',
    '--kubeconfig',
    '-l',
    '--selector',
    '-o',
    '--output',
    '-c',
    '--container',
  ]);
const isDocker = (argv: readonly string[]) => ['docker', 'podman', 'nerdctl'].includes(program(argv));
const isKubectl = (argv: readonly string[]) => ['kubectl', 'oc', 'k3s'].includes(program(argv));
const wantsStructured = (argv: readonly string[]) =>
  argv.some((a, i) => /^(-o|--output|--format)(=|$)/.test(a) && !/wide/.test(a + (argv[i + 1] ?? '')));

/** A table's lines (header first) with columns every row shares said once. */
const tableRule = (lines: string[]) => compactTable(lines) ?? lines;

/** docker ps/images, kubectl get/top: header and rows kept, columns every row shares folded into one line. */
export const resourceTable: OutputRule = {
  name: 'resource table',
  matches: (argv) =>
    !wantsStructured(argv) &&
    ((isDocker(argv) &&
      [
        'ps',
        'images',
        'container ls',
        'container ps',
        'image ls',
        'compose ps',
        'network ls',
        'volume ls',
      ].includes(dockerSub(argv))) ||
      (isKubectl(argv) && ['get', 'top'].includes(kubectlSub(argv)))),
  apply(lines) {
    // kubectl get a,b prints one table per kind, separated by a blank line
    const out: string[] = [];
    let block: string[] = [];
    const flush = () => {
      if (block.length > 0) out.push(...tableRule(block));
      block = [];
    };
    for (const line of lines) {
      if (line.trim() === '') flush();
      else block.push(line);
    }
    flush();
    return out;
  },
};

/** Lines of a log with their timestamps, ids and numbers masked: the shape repeated lines share. */
const logShape = (line: string) =>
  line
    .replace(/\d{4}-\d\d-\d\d[T ][\d:.,]+(Z|[+-]\d\d:?\d\d)?/g, 'T')
    .replace(/\b[0-9a-f]{8,}\b/gi, 'H')
    .replace(/\d+/g, '#');

/**
 * docker logs / kubectl logs / journalctl: every line whose shape (timestamps, ids and numbers
 * aside) was already shown becomes a count at its first appearance; key lines all stay.
 */
export const containerLogs: OutputRule = {
  name: 'logs',
  matches: (argv) =>
    ((isDocker(argv) || isKubectl(argv)) &&
      ['logs', 'compose logs', 'container logs'].includes(
        isDocker(argv) ? dockerSub(argv) : kubectlSub(argv),
      )) ||
    program(argv) === 'journalctl',
  apply(lines) {
    const seen = new Map<string, number>();
    const out: string[] = [];
    for (const line of lines) {
      if (isKeyLine(line)) {
        out.push(line);
        continue;
      }
      const shape = logShape(line);
      const at = seen.get(shape);
      if (at === undefined) {
        seen.set(shape, out.length);
        out.push(line);
        continue;
      }
      const shown = out[at] as string;
      const count = /\s\[×(\d+)\]$/.exec(shown);
      out[at] = count ? shown.replace(/\[×\d+\]$/, `[×${Number(count[1]) + 1}]`) : `${shown} [×2]`;
    }
    return out;
  },
};

/**
 * docker build: BuildKit bookkeeping (`transferring`, `DONE`, `CACHED`, sha256 layers) and the
 * classic builder's `---> Running in` lines go; each step's own output keeps its first and last lines.
 */
export const dockerBuild: OutputRule = {
  name: 'docker build',
  matches: (argv) =>
    isDocker(argv) && ['build', 'buildx build', 'compose build', 'image build'].includes(dockerSub(argv)),
  apply(lines) {
    const kept = lines.filter(
      (l) =>
        isKeyLine(l) ||
        !(
          l.trim() === '' ||
          /^#\d+ (transferring |DONE |CACHED$|sha256:|resolve |extracting |exporting layers|writing image|naming to|\[internal\] |load (metadata|build definition|\.dockerignore))/.test(
            l,
          ) ||
          /^#\d+ \[internal\]/.test(l) ||
          /^ ---> |^Removing intermediate container |^Sending build context/.test(l)
        ),
    );
    const out: string[] = [];
    let step: string[] = [];
    const flush = () => {
      if (step.length > 8)
        out.push(...step.slice(0, 3), `[… ${step.length - 6} lines of this step]`, ...step.slice(-3));
      else out.push(...step);
      step = [];
    };
    for (const l of kept) {
      if (/^#\d+ \d+\.\d+ /.test(l) && !isKeyLine(l)) step.push(l.replace(/^(#\d+) \d+\.\d+ /, '$1 '));
      else {
        flush();
        out.push(l);
      }
    }
    flush();
    return out;
  },
};

/** kubectl describe: `<none>` fields and blank lines go, padding after `Key:` shrinks; the Events table is compacted. */
export const kubectlDescribe: OutputRule = {
  name: 'kubectl describe',
  matches: (argv) => isKubectl(argv) && kubectlSub(argv) === 'describe',
  apply(lines) {
    const out: string[] = [];
    const events = lines.findIndex((l) => /^Events:/.test(l));
    const body = events === -1 ? lines : lines.slice(0, events);
    for (const line of body) {
      if (isKeyLine(line)) out.push(line);
      else if (line.trim() === '' || /:\s+<(none|unset)>\s*$/.test(line)) continue;
      else out.push(line.replace(/^(\s*[\w./-]+(?: [\w./-]+)*:)\s{2,}/, '$1 '));
    }
    if (events !== -1) {
      out.push('Events:');
      const table = lines.slice(events + 1).filter((l) => l.trim() !== '' && !/^\s*-+(\s+-+)*\s*$/.test(l));
      out.push(...(compactTable(table.map((l) => l.replace(/^ {2}/, ''))) ?? table));
    }
    return out;
  },
};

/**
 * terraform plan/apply: `Refreshing state` runs fold; resources to create or destroy keep their
 * `# ... will be` line only, updates keep the attributes that change; the Plan: line stays.
 */
export const terraformPlan: OutputRule = {
  name: 'terraform plan',
  matches: (argv) =>
    ['terraform', 'tofu'].includes(program(argv)) && ['plan', 'apply', 'destroy'].includes(subcommand(argv)),
  apply(lines) {
    const out: string[] = [];
    let mode: 'outside' | 'whole' | 'changes' = 'outside';
    let depth = 0;
    for (const line of lines) {
      if (isKeyLine(line)) {
        out.push(line);
        continue;
      }
      const header =
        /^\s*# (\S+) (will be|must be) (created|destroyed|updated in-place|replaced|read during apply)/.exec(
          line,
        );
      if (header) {
        out.push(line.trim());
        mode = /updated|replaced/.test(header[3] as string) ? 'changes' : 'whole';
        depth = 0;
        continue;
      }
      if (mode !== 'outside') {
        depth += (line.match(/[{[]\s*$/g) ?? []).length - (/^\s*[}\]]/.test(line) ? 1 : 0);
        if (
          mode === 'changes' &&
          (/^\s*[~]|->|forces replacement/.test(line) || /^\s*[-+] \S+\s+=/.test(line))
        )
          out.push(line.replace(/^\s+/, '  '));
        if (depth <= 0 && /^\s*}\s*$/.test(line)) mode = 'outside';
        continue;
      }
      if (
        line.trim() === '' ||
        /^(Terraform used the selected providers|plan\. Resource actions|Resource actions are|Terraform will perform|─+$|Note: You didn't use|Terraform can't guarantee|"terraform apply" now\.|guarantee to take)/.test(
          line.trim(),
        ) ||
        /^\s+[+~-] (create|update in-place|destroy)$|^[-+]\/[-+] (create replacement|destroy and then create)/.test(
          line.trim(),
        )
      )
        continue;
      out.push(line);
    }
    return foldRuns(
      out,
      (l) => /: (Refreshing state|Reading|Read complete)\.\.\./.test(l) || /: Read complete after/.test(l),
      (run) => `[${run.length} resources refreshed]`,
    );
  },
};

export const INFRA_RULES: readonly OutputRule[] = [
  resourceTable,
  containerLogs,
  dockerBuild,
  kubectlDescribe,
  terraformPlan,
];
