import type { RagStatus } from '../rag/scale.js';

/** How a value was judged: against which target, and with what RAG and direction of travel. */
export interface ValueJudgement {
  target: number | null;
  toleranceAmount: number | null;
  rag: RagStatus;
  explanation: string;
  directionPrevious: string | null;
  directionLastYear: string | null;
}

/** A value's direction of travel in words, as exception emails and packs show it. */
export function directionInWords(j: Pick<ValueJudgement, 'directionPrevious' | 'directionLastYear'> | undefined): string {
  const travel = [j?.directionPrevious && `${j.directionPrevious} on the period before`, j?.directionLastYear && `${j.directionLastYear} on the same period last year`].filter(Boolean);
  return travel.length ? travel.join('; ') : 'no earlier value to compare';
}
