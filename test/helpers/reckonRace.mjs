// One process of a race (test/exceptions-cycle.test.ts): waits for the start time, then reckons
// the exceptions of one store as at one moment, as several processes finishing cycles at once would.
import { reckonExceptions } from '../../dist/app/exceptions.js';
import { loadService } from '../../dist/app/service.js';
import { Store } from '../../dist/store/store.js';

const [config, startAt, at] = process.argv.slice(2);
const service = await loadService(config, {});
const store = new Store(service.config.service.store);
try {
  while (Date.now() < Number(startAt)) await new Promise((resolve) => setTimeout(resolve, 1));
  const r = await reckonExceptions({ ...service, store }, new Date(Number(at)));
  process.stdout.write(`${JSON.stringify(r.messages.map((m) => m.tells.map((t) => `${t.exception.key} ${t.change}`)))}\n`);
} catch (err) {
  process.stdout.write(`${err.message}\n`);
  process.exitCode = 1;
} finally {
  await store.close();
}
