// A stdio relay that copies bytes both ways and parses nothing: the least any stdio gateway
// between a client and a server costs (one more process, its reads and writes).
import { spawn } from 'node:child_process';

const [server, ...args] = process.argv.slice(2);
const child = spawn(process.execPath, [server, ...args], { stdio: ['pipe', 'pipe', 'ignore'] });
process.stdin.pipe(child.stdin);
child.stdout.pipe(process.stdout);
process.stdin.on('end', () => child.kill());
