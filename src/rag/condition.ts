import { compare } from '../indicators/numbers.js';
import { VARIABLES, type Facts, type VariableName } from './variables.js';

/**
 * A rule's `when`: comparisons `<variable|number> <op> <variable|number>` and true/false
 * variables, joined by `and` / `or` (`and` binds tighter), with parentheses. Parsed by hand,
 * never evaluated as code, so config can say nothing but this.
 */
export type Condition = (facts: Facts) => boolean;

/** A `when` that is not a condition; the message says what is wrong and where. */
class ConditionError extends Error {}

type Token = { kind: 'number' | 'name' | 'op' | 'paren'; text: string; column: number };

const TOKEN = /(-?\d+(?:\.\d+)?(?![\w.]))|([A-Za-z_]\w*)|(<=|>=|==|<|>)|[()]/y;
const KEYWORDS = new Set(['and', 'or']);

const OPERATORS: Record<string, (c: -1 | 0 | 1) => boolean> = {
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
  '==': (c) => c === 0,
};

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = new RegExp(TOKEN);
  let at = 0;
  for (;;) {
    while (/\s/.test(text[at] ?? '')) at++;
    if (at >= text.length) return tokens;
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) {
      const hint = text[at] === '%' ? 'write a percentage as a plain number, e.g. shortfall_percent <= 10' : 'comparisons are <, <=, >, >=, ==, joined by and / or';
      throw new ConditionError(`unexpected "${text[at]}" at column ${at + 1} (${hint})`);
    }
    const [whole, number, name, op] = m;
    tokens.push({ kind: number !== undefined ? 'number' : name !== undefined ? 'name' : op !== undefined ? 'op' : 'paren', text: whole, column: at + 1 });
    at += whole.length;
  }
}

type NumberOperand = { kind: 'number'; read: (f: Facts) => number | undefined; text: string; variable: boolean };
type Operand = NumberOperand | { kind: 'boolean'; name: VariableName };

function numeric(operand: Operand): NumberOperand {
  if (operand.kind === 'boolean') throw new ConditionError(`"${operand.name}" is true or false: name it alone, not in a comparison`);
  return operand;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Condition {
    if (this.tokens.length === 0) throw new ConditionError('is empty');
    const condition = this.or();
    const extra = this.tokens[this.i];
    if (extra) throw new ConditionError(`unexpected "${extra.text}" at column ${extra.column}${extra.kind === 'paren' ? '' : ' (join conditions with and / or)'}`);
    return condition;
  }

  private keyword(word: string): boolean {
    const t = this.tokens[this.i];
    if (t?.kind !== 'name' || t.text !== word) return false;
    this.i++;
    return true;
  }

  private or(): Condition {
    let left = this.and();
    while (this.keyword('or')) {
      const [a, b] = [left, this.and()];
      left = (f) => a(f) || b(f);
    }
    return left;
  }

  private and(): Condition {
    let left = this.factor();
    while (this.keyword('and')) {
      const [a, b] = [left, this.factor()];
      left = (f) => a(f) && b(f);
    }
    return left;
  }

  private factor(): Condition {
    const t = this.tokens[this.i];
    if (t?.kind === 'paren' && t.text === '(') {
      this.i++;
      const inner = this.or();
      const close = this.tokens[this.i];
      if (close?.text !== ')') throw new ConditionError(`expected ")" to close the "(" at column ${t.column}`);
      this.i++;
      return inner;
    }
    const left = this.operand();
    const op = this.tokens[this.i];
    if (op?.kind !== 'op') {
      if (left.kind === 'boolean') return (f) => f[left.name] === true;
      const where = op ? `before "${op.text}" at column ${op.column}` : 'at the end';
      throw new ConditionError(`expected a comparison (<, <=, >, >=, ==) after "${left.text}" ${where}`);
    }
    this.i++;
    const a = numeric(left);
    const b = numeric(this.operand());
    if (!a.variable && !b.variable) throw new ConditionError(`"${a.text} ${op.text} ${b.text}" compares two numbers: name a variable`);
    const holds = OPERATORS[op.text] as (c: -1 | 0 | 1) => boolean;
    return (f) => {
      const x = a.read(f);
      const y = b.read(f);
      return x !== undefined && y !== undefined && holds(compare(x, y));
    };
  }

  private operand(): Operand {
    const t = this.tokens[this.i];
    if (!t) throw new ConditionError('expected a variable, a number or "(" at the end');
    this.i++;
    if (t.kind === 'number') {
      const value = Number(t.text);
      return { kind: 'number', read: () => value, text: t.text, variable: false };
    }
    if (t.kind !== 'name' || KEYWORDS.has(t.text)) throw new ConditionError(`expected a variable, a number or "(" at column ${t.column}, found "${t.text}"`);
    if (!Object.hasOwn(VARIABLES, t.text)) throw new ConditionError(`unknown variable "${t.text}" at column ${t.column}; the variables are ${Object.keys(VARIABLES).join(', ')}`);
    const name = t.text as VariableName;
    if (VARIABLES[name] === 'boolean') return { kind: 'boolean', name };
    return { kind: 'number', read: (f) => f[name] as number | undefined, text: name, variable: true };
  }
}

/** The condition a `when` states; throws ConditionError naming what is wrong and at which column. */
export function parseCondition(text: string): Condition {
  return new Parser(tokenize(text)).parse();
}
