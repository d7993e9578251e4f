import type { LoadedPipeline } from '../config/load.js';

/** A run of one pipeline's periods in order, its in-memory history carrying each period's values to the next. */
export interface Lane<P> {
  pipeline: LoadedPipeline;
  periods: P[];
}

/**
 * The work of each source as lanes, at most `concurrency` of them run at once per source. A
 * pipeline's periods run in order in one lane where the source has enough pipelines to fill its
 * lanes (so each period is judged against the one before as just recorded, and CSV files are
 * read once); otherwise its periods are cut into consecutive runs to fill them, and the first
 * period of each later run is judged against what the store held when it started.
 */
export function lanesOf<P extends { pipelineId: string }>(todo: readonly P[], pipelines: readonly LoadedPipeline[], concurrency: number): Map<string, Lane<P>[]> {
  const bySource = new Map<string, Lane<P>[]>();
  for (const pipeline of pipelines) {
    const periods = todo.filter((p) => p.pipelineId === pipeline.id);
    if (!periods.length) continue;
    const lanes = bySource.get(pipeline.source) ?? [];
    lanes.push({ pipeline, periods });
    bySource.set(pipeline.source, lanes);
  }
  for (const [source, lanes] of bySource) {
    const cuts = Math.ceil(concurrency / lanes.length);
    if (cuts <= 1) continue;
    const cut: Lane<P>[][] = lanes.map((lane) => {
      const size = Math.ceil(lane.periods.length / cuts);
      const parts: Lane<P>[] = [];
      for (let i = 0; i < lane.periods.length; i += size) parts.push({ pipeline: lane.pipeline, periods: lane.periods.slice(i, i + size) });
      return parts;
    });
    // Earliest runs of every pipeline first.
    const interleaved: Lane<P>[] = [];
    for (let i = 0; i < cuts; i++) for (const parts of cut) if (parts[i]) interleaved.push(parts[i]!);
    bySource.set(source, interleaved);
  }
  return bySource;
}

/** Runs `work` over `queue`, at most `limit` at a time, in the queue's order. */
export async function inTurns<T>(queue: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < queue.length) await work(queue[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
}
