import type { RuleStatus } from '../rag/scale.js';
import type { Cell } from './table.js';

const CODES: Record<RuleStatus, string> = {
  GREEN: '32',
  BLUE: '34',
  GREEN_AMBER: '32;1',
  AMBER: '33',
  RED_AMBER: '31;1',
  RED: '31',
};

/** Colour only for a person at a terminal: never when piped, or when NO_COLOR is set. */
export function useColour(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

/** A RAG status, always as its word; coloured when asked, as an aid and never the only signal. */
export function ragWord(status: string, colour: boolean): Cell {
  const code = Object.hasOwn(CODES, status) ? CODES[status as RuleStatus] : undefined;
  return colour && code ? { text: status, code } : status;
}
