import type { LoadedConfig } from '../config/load.js';
import type { IndicatorConfig } from '../config/schema.js';

/** Every indicator the pipelines define, by id. */
export function indicatorsById(config: LoadedConfig): Map<string, IndicatorConfig> {
  return new Map(config.pipelines.flatMap((p) => p.indicators.map((i) => [i.id, i] as const)));
}

/** The indicator an id names: its own, or one it replaces. */
export function indicatorNamed(config: LoadedConfig, id: string): IndicatorConfig {
  const indicator = config.pipelines.flatMap((p) => p.indicators).find((i) => i.id === id || i.replaces.includes(id));
  if (!indicator) throw new Error(`unknown indicator "${id}"`);
  return indicator;
}
