import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from './helpers/build.js';
import { lineofsight } from './helpers/cli.js';
import { workspace } from './helpers/workspace.js';
import { demoEnv } from './helpers/demoStore.js';

beforeAll(buildCli);

describe('lineofsight exceptions and outbox', () => {
  const tmp = workspace({});
  const env = demoEnv(tmp.dir);
  const run = (...args: string[]) => lineofsight(args, { env });

  it('lists what the demo raised, who it goes to, acknowledges one, and lists and retries the outbox', () => {
    expect(run('demo').status).toBe(0);

    const listed = JSON.parse(run('exceptions', '--json').stdout) as { exceptions: { id: number; kind: string; title: string; recipients: string[]; acknowledged: boolean }[] };
    const kinds = new Set(listed.exceptions.map((e) => e.kind));
    for (const kind of ['rag', 'data_quality', 'suspect_value', 'data_not_received', 'risk']) expect(kinds).toContain(kind);
    const red = listed.exceptions.find((e) => e.kind === 'rag' && / is RED /.test(e.title))!;
    expect(red.recipients.length).toBeGreaterThan(0);
    const table = run('exceptions').stdout;
    expect(table).toMatch(new RegExp(`^\\s*${red.id}\\s+rag\\s+RED`, 'm'));

    // Straight after the cycle, nothing is new, changed, due a reminder or resolved.
    expect(run('exceptions', '--dry-run').stdout).toMatch(/no message would be written/);

    expect(run('exceptions', 'ack', String(red.id), '--note', 'recovery plan agreed', '--until', '2000-01-01')).toMatchObject({ status: 1, stderr: expect.stringMatching(/--until 2000-01-01 has passed/) });
    expect(run('exceptions', 'ack', '99999', '--note', 'x')).toMatchObject({ status: 1, stderr: expect.stringMatching(/no exception 99999/) });
    expect(run('exceptions', 'ack', String(red.id), '--note', '  ')).toMatchObject({ status: 1, stderr: expect.stringMatching(/--note must say why/) });
    const ack = run('exceptions', 'ack', String(red.id), '--note', 'recovery plan agreed');
    expect(ack).toMatchObject({ status: 0, stdout: expect.stringMatching(new RegExp(`exception ${red.id} .* acknowledged: no reminders until it changes from RED`)) });
    expect((JSON.parse(run('exceptions', '--json').stdout) as typeof listed).exceptions.find((e) => e.id === red.id)?.acknowledged).toBe(true);

    const messages = JSON.parse(run('outbox', '--json').stdout) as { messages: { id: number; state: string; to: string; subject: string; messageId: string }[] };
    expect(messages.messages.length).toBeGreaterThan(3);
    expect(messages.messages.every((m) => m.state === 'sent' && /^<[^@]+@example\.gov\.uk>$/.test(m.messageId))).toBe(true);
    expect(run('outbox', '--state', 'failed').stdout).toBe('no failed messages\n');
    expect(run('outbox', '--state', 'lost')).toMatchObject({ status: 1, stderr: expect.stringMatching(/--state is one of pending, sending, sent, failed, not "lost"/) });
    expect(run('outbox', 'retry', String(messages.messages[0]!.id))).toMatchObject({ status: 1, stderr: expect.stringMatching(/is sent, not failed: only a failed message is retried/) });
    expect(run('outbox', 'retry', '99999')).toMatchObject({ status: 1, stderr: expect.stringMatching(/no message 99999 in the outbox/) });
  }, 120_000);
});
