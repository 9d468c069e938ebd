// The test helpers' round-robin proxy in its own process, for the replicas bench: the load
// generator and the balancer must not share an event loop. `--targets URL,URL,...`.
import { parseArgs } from 'node:util';
import { startRoundRobinProxy } from '../../test/helpers/round-robin-proxy.ts';
import { announceReady, closeOnSignal } from '../lib/server-process.ts';

const { values } = parseArgs({ options: { targets: { type: 'string' } } });
if (!values.targets) throw new Error('usage: round-robin-proxy.ts --targets http://127.0.0.1:P1,http://…');
const proxy = await startRoundRobinProxy(values.targets.split(','));
announceReady({ port: Number(new URL(proxy.url).port) });
closeOnSignal(() => proxy.close());
