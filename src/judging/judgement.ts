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
