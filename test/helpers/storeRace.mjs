// One process of a race on one store (test/store-concurrency.test.ts): waits for the start time,
// migrates the store, then records risk positions that flip back and forth, as several processes
// assessing the same register at once would.
import { Store } from '../../dist/store/store.js';

const [file, startAt, rounds, worker] = process.argv.slice(2);
const store = new Store({ client: 'sqlite', filename: file });
try {
  while (Date.now() < Number(startAt)) await new Promise((resolve) => setTimeout(resolve, 1));
  await store.migrate();
  for (let i = 0; i < Number(rounds); i++) {
    const likelihood = i % 2 ? 'A' : 'B';
    await store.risks.recordRiskPosition({ riskId: `R${i % 5}`, assessedAt: new Date().toISOString(), likelihood, impact: 'II', score: 1, aboveTolerance: false, movedByTriggers: true, evidence: [`worker ${worker} round ${i}`] });
  }
  process.stdout.write('ok\n');
} catch (err) {
  process.stdout.write(`${err.message}\n`);
  process.exitCode = 1;
} finally {
  await store.close();
}
