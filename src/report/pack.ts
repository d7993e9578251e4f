import type { ClinicPack } from '../notify/pack.js';

/** A clinic pack's documented JSON shape: the pack as the email shows it, without what is kept for the next one. */
export function packJson(pack: ClinicPack): Omit<ClinicPack, 'shown'> {
  const { shown: _kept, ...shape } = pack;
  return shape;
}
