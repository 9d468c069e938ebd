// The receiving replica of bench/fan-out.ts, in a process of its own: listens with one fan-out
// (argv: redis|notify, the database URL, the Redis URL, the key prefix / NOTIFY channel),
// prints "ready", and on "stop" on stdin prints each event's arrival (wall-clock ms) and its
// own CPU time, then exits.
import { createInterface } from 'node:readline';
import { createPgNotifyFanOut } from '../../src/events/pg-notify-fan-out.ts';
import { createRedisFanOut } from '../../src/events/redis-fan-out.ts';
import { silentLogger } from '../../src/logger.ts';
import { createRedisLink } from '../../src/store/redis/redis-link.ts';

const [kind, dbUrl = '', redisUrl = '', name = ''] = process.argv.slice(2);
const wallMs = () => performance.timeOrigin + performance.now();
const link =
  kind === 'redis'
    ? createRedisLink({ url: redisUrl, keyPrefix: name, readStateTtlSec: 60 }, silentLogger)
    : undefined;
const fanOut = link
  ? createRedisFanOut(link, 'receiver', silentLogger)
  : createPgNotifyFanOut({ url: dbUrl, channel: name, originId: 'receiver', logger: silentLogger });
const arrivals: [string, number, number][] = [];
let resyncs = 0;
fanOut.listen(
  (e) => arrivals.push([e.channelId, e.revision, wallMs()]),
  () => resyncs++,
);
// both listen on a connection of their own: give it a moment before saying ready
setTimeout(() => console.log('ready'), 500);
let cpuStart = process.cpuUsage();
createInterface({ input: process.stdin }).on('line', async (line) => {
  if (line === 'start') {
    arrivals.length = 0;
    cpuStart = process.cpuUsage();
    console.log('started');
    return;
  }
  if (line !== 'stop') return;
  const cpu = process.cpuUsage(cpuStart);
  console.log(JSON.stringify({ arrivals, resyncs, cpuMs: (cpu.user + cpu.system) / 1000 }));
  await fanOut.close();
  await link?.close();
  process.exit(0);
});
