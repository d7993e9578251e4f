import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * Whether an Authorization header carries the bearer token. Compared as digests of equal
 * length in constant time, so neither the token's length nor its first wrong byte shows in
 * how long a refusal takes.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer +(\S+)\s*$/i.exec(header ?? '');
  const given = digest(m ? m[1]! : '');
  return timingSafeEqual(given, digest(token)) && m !== null;
}
