import { clip, gitSub, isKeyLine, isProblemLine, lastFrame, type OutputRule, program } from '../rule-kit.ts';
import { splitColumns } from '../table.ts';

/** ls: `ls -l` rows become `name size` (directories `name/`), `.` and `..` go; plain listings share lines. */
export const ls: OutputRule = {
  name: 'ls',
  matches: (argv) => ['ls', 'dir', 'exa', 'eza'].includes(program(argv)),
  apply(lines) {
    const out: string[] = [];
    let names: string[] = [];
    const flush = () => {
      for (let i = 0; i < names.length; i += 12) out.push(names.slice(i, i + 12).join('  '));
      names = [];
    };
    for (const line of lines) {
      if (/^total \d+/.test(line)) continue;
      const long =
        /^([-dlcbps])[-rwxsStT@+.]{9,}\s+\d+\s+\S+\s+\S+\s+(\d+(?:,\s*\d+)?|[\d.]+[KMGT]?)\s+\w{3}\s+\d+\s+[\d:]+\s+(.*)$/.exec(
          line,
        );
      if (long) {
        const [, type, size, name] = long;
        if (name === '.' || name === '..') continue;
        names.push(type === 'd' ? `${name}/` : type === 'l' ? (name as string) : `${name} ${size}`);
      } else if (line.trim() === '' || isKeyLine(line) || /:$/.test(line) || /\s/.test(line)) {
        flush();
        if (line.trim() !== '') out.push(line);
      } else names.push(line);
    }
    flush();
    return out;
  },
};

/** find/fd: paths grouped under their directory. */
export const find: OutputRule = {
  name: 'find',
  matches: (argv) =>
    ['find', 'fd', 'fdfind'].includes(program(argv)) ||
    (program(argv) === 'git' && gitSub(argv) === 'ls-files'),
  apply(lines) {
    const groups = new Map<string, string[]>();
    const other: string[] = [];
    for (const line of lines) {
      if (isKeyLine(line) || line.trim() === '') {
        if (line.trim() !== '') other.push(line);
        continue;
      }
      const slash = line.lastIndexOf('/');
      const dir = slash === -1 ? '.' : line.slice(0, slash + 1);
      const list = groups.get(dir) ?? [];
      list.push(line.slice(slash + 1));
      groups.set(dir, list);
    }
    return [...other, ...[...groups].map(([dir, names]) => `${dir} ${names.join('  ')}`)];
  },
};

/** grep/rg: matched text trimmed of indentation, a repeat of the line above shown as 〃, very long matches cut. */
export const grep: OutputRule = {
  name: 'grep',
  matches: (argv) =>
    ['grep', 'rg', 'egrep', 'fgrep', 'ag', 'ack'].includes(program(argv)) ||
    (program(argv) === 'git' && gitSub(argv) === 'grep'),
  apply(lines) {
    let previous: string | undefined;
    return lines.map((line) => {
      const hit = /^([^:\s]+[:-]\d+[:-])\s*(.*)$/.exec(line) ?? /^([^:\s]+\.\w+:)\s*(.*)$/.exec(line);
      if (!hit || isProblemLine(line)) return line;
      const same = hit[2] === previous;
      previous = hit[2];
      return clip(same ? `${hit[1]} 〃` : `${hit[1]} ${hit[2]}`, 120);
    });
  },
};

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  K: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4,
  P: 1024 ** 5,
};
const toBytes = (size: string) => {
  const m = /^([\d.,]+)([KMGTP]?)i?B?$/i.exec(size);
  return m
    ? Number((m[1] as string).replace(',', '.')) * (SIZE_UNITS[(m[2] as string).toUpperCase()] ?? 1)
    : Number.NaN;
};
const DU_TOP = 25;

/** du: the largest entries first (the top 25), the rest counted; the grand total stays. */
export const du: OutputRule = {
  name: 'du',
  matches: (argv) => ['du', 'dust', 'ncdu'].includes(program(argv)),
  apply(lines) {
    const rows = lines.map((line) => ({ line, size: toBytes(/^(\S+)\t/.exec(line)?.[1] ?? '') }));
    if (rows.some((r) => Number.isNaN(r.size) && !isKeyLine(r.line))) return lines;
    if (rows.length <= DU_TOP + 1)
      return [...lines].sort((a, b) => toBytes(b.split('\t')[0] ?? '') - toBytes(a.split('\t')[0] ?? ''));
    const total = /\ttotal$/.test(lines.at(-1) ?? '') ? lines.slice(-1) : [];
    const entries = rows.filter((r) => !Number.isNaN(r.size) && !total.includes(r.line));
    const top = new Set([...entries].sort((a, b) => b.size - a.size).slice(0, DU_TOP));
    // a key line (a file named errors.ts, a permission error) is never left out
    const shown = entries.filter((r) => top.has(r) || isKeyLine(r.line)).sort((a, b) => b.size - a.size);
    const keys = rows.filter((r) => Number.isNaN(r.size)).map((r) => r.line);
    return [
      ...keys,
      ...shown.map((r) => r.line),
      `[${entries.length - shown.length} smaller entries omitted]`,
      ...total,
    ];
  },
};

const PSEUDO_FS =
  /^(tmpfs|devtmpfs|overlay|shm|udev|none|cgroup2?|proc|sysfs|squashfs|efivarfs|\/dev\/loop\d+)$/;

/** df: pseudo filesystems (tmpfs, overlay, loop devices) counted, not listed; the rest kept as a table. */
export const df: OutputRule = {
  name: 'df',
  matches: (argv) => program(argv) === 'df',
  apply(lines) {
    const [head, ...rows] = lines;
    if (head === undefined || !/^Filesystem\s/.test(head)) return lines;
    const pseudo = rows.filter((r) => !isKeyLine(r) && PSEUDO_FS.test(r.split(/\s+/)[0] ?? ''));
    const real = rows.filter((r) => !pseudo.includes(r));
    const cells = real.map((r) => (isKeyLine(r) ? r : splitColumns(r, 6).join('  ')));
    return [
      head.replace(/\s+/g, '  '),
      ...cells,
      ...(pseudo.length > 0 ? [`[${pseudo.length} tmpfs/overlay/loop filesystems omitted]`] : []),
    ];
  },
};

const PS_TOP = 10;

/** ps: the header, the processes using the most CPU and memory (10 each), kernel threads and the rest counted. */
export const ps: OutputRule = {
  name: 'ps',
  matches: (argv) => program(argv) === 'ps',
  apply(lines) {
    const [head, ...rows] = lines;
    if (head === undefined) return lines;
    const columns = head.trim().split(/\s+/);
    const cpu = columns.findIndex((c) => c === '%CPU' || c === 'C');
    const mem = columns.findIndex((c) => c === 'RSS' || c === '%MEM');
    const cmd = columns.length;
    const parsed = rows.map((line) => ({ line, cells: splitColumns(line, cmd) }));
    const rank = (col: number) =>
      col === -1
        ? []
        : [...parsed].sort((a, b) => Number(b.cells[col]) - Number(a.cells[col])).slice(0, PS_TOP);
    const shown = new Set([...rank(cpu), ...rank(mem)].map((p) => p.line));
    if (cpu === -1 && mem === -1)
      for (const p of parsed) if (!/^\[.*\]$/.test(p.cells.at(-1) ?? '')) shown.add(p.line);
    const out = [head];
    for (const p of parsed) {
      if (isKeyLine(p.line)) out.push(p.line);
      else if (shown.has(p.line)) out.push(clip(p.line, 200));
    }
    out.push(`[${rows.length} processes; ${out.length - 1} shown: the top ${PS_TOP} by CPU and by memory]`);
    return out;
  },
};

const CURL_METER =
  /^\s*(% Total\s+% Received|Dload\s+Upload)|^\s*\d+\s+[\d.]+[kMG]?\s+\d+\s+[\d.]+[kMG]?\s+\d+\s+\d+\s+[\d.]+[kMG]?\s+[\d.]+[kMG]?\s+[-\d:]+\s+[-\d:]+\s+[-\d:]+\s+[\d.]+[kMG]?/;

/** curl/wget: the progress meter goes; with -v, TLS chatter and request headers go, the response status and headers stay. */
export const curl: OutputRule = {
  name: 'curl',
  matches: (argv) => ['curl', 'wget', 'http', 'xh'].includes(program(argv)),
  apply(lines) {
    const out: string[] = [];
    for (const raw of lines) {
      const line = raw.includes('\r')
        ? raw
            .split('\r')
            .filter((p) => !CURL_METER.test(p))
            .join('')
        : raw;
      const rest = line.replace(CURL_METER, '');
      if (isKeyLine(rest)) {
        out.push(rest);
        continue;
      }
      if (CURL_METER.test(line) && rest.trim() === '') continue;
      if (
        /^\* (ALPN|TLSv|SSL|Server certificate| {2}(subject|start date|expire date|subjectAltName|issuer|SSL certificate)|Connection #|CAfile|CApath|using HTTP)/.test(
          rest,
        )
      )
        continue;
      if (/^> (User-Agent|Accept):|^> $|^< $|^\{ \[\d+ bytes data\]$|^\} \[\d+ bytes data\]$/.test(rest))
        continue;
      if (/^\s*\d+K [. ]+\s*\d+%|^Resolving |^Connecting to |^Saving to: |^HTTP request sent/.test(rest))
        continue;
      if (rest !== '' || raw === '') out.push(lastFrame(rest));
    }
    return out.filter((l, i) => l !== '' || (out[i - 1] ?? '') !== '');
  },
};

export const SYSTEM_RULES: readonly OutputRule[] = [ls, find, grep, du, df, ps, curl];
