import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinicNamed, clinicPack, packPeriod } from '../src/app/clinicPack.js';
import { withService } from '../src/app/open.js';
import { loadService } from '../src/app/service.js';
import { silentLogger } from '../src/logger.js';
import { renderPack } from '../src/notify/packRender.js';
import { RULE_STATUSES } from '../src/rag/scale.js';
import { badges, chromiumPath, contrastRatio, launchChromium, mailClientProblems, openHtml, overflow, parseColour } from './helpers/browser.js';
import { buildCli } from './helpers/build.js';
import { lineofsight } from './helpers/cli.js';
import { workspace } from './helpers/workspace.js';
import { demoEnv } from './helpers/demoStore.js';

/** Pinned to the years the demo is written in, as the CLI tests pin it. */
const AS_OF = '2026-04-01';
/** A desktop client's reading pane, and a phone. */
const WIDTHS = [600, 375] as const;
/** WCAG 2.x AA for normal-sized text: the badges are 14 px bold, not large text. */
const AA = 4.5;
const SHOTS = path.resolve('test-output/email');

const chromium = chromiumPath();

/** How many of a message's badges are RAG words: the digest showing most is the one to look at. */
const ragBadges = (html: string) => [...html.matchAll(/data-badge="([A-Z_]+)"/g)].filter((m) => (RULE_STATUSES as readonly string[]).includes(m[1]!)).length;

/**
 * A digest and a pack as the demo council's people would get them: the demo run end to end in a
 * folder of the test's own, the digest read back from the store's outbox, and the Place
 * clinic's pack drawn up from the same store.
 */
async function demoEmails(): Promise<Record<'digest' | 'pack', string>> {
  buildCli();
  const tmp = workspace({});
  const env = demoEnv(tmp.dir);
  const demo = lineofsight(['demo', '--as-of', AS_OF], { env });
  expect(demo.status, demo.stderr).toBe(0);
  const service = await loadService('config/lineofsight.yaml', { ...process.env, ...env });
  return withService(
    service,
    async (open) => {
      const digests = (await open.store.outbox.list(undefined, 1000)).filter((m) => m.kind === 'digest');
      const digest = digests.reduce((best, m) => (ragBadges(m.html) > ragBadges(best.html) ? m : best));
      const clinic = clinicNamed(open, 'Place');
      const pack = await clinicPack(open, clinic, packPeriod(open, clinic, AS_OF), new Date(`${AS_OF}T08:00:00Z`), AS_OF);
      return { digest: digest.html, pack: renderPack(pack, open.config.service.exceptions.links).html };
    },
    { logger: silentLogger },
  );
}

describe.skipIf(!chromium)('the exception emails in a browser', () => {
  let browser: Browser;
  let emails: Record<'digest' | 'pack', string>;

  beforeAll(async () => {
    [browser, emails] = await Promise.all([launchChromium(chromium!), demoEmails()]);
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens an email at a width, runs `check` on it, and closes it whatever the check did. */
  async function opened<T>(html: string, width: number, check: (o: Awaited<ReturnType<typeof openHtml>>) => Promise<T>): Promise<T> {
    const o = await openHtml(browser, html, width);
    try {
      return await check(o);
    } finally {
      await o.close();
    }
  }

  it('has real content to look at: a digest with RAG badges, a pack with exceptions', () => {
    expect(ragBadges(emails.digest)).toBeGreaterThan(0);
    expect(emails.pack).toMatch(/Exceptions \([1-9]\d*\)/);
    expect(ragBadges(emails.pack)).toBeGreaterThan(0);
  });

  describe.each(['digest', 'pack'] as const)('the %s', (name) => {
    it.each(WIDTHS)('fits %i px wide with nothing to scroll sideways (and is photographed)', async (width) => {
      await opened(emails[name], width, async ({ page }) => {
        await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
        const o = await overflow(page);
        expect(o.viewport).toBeLessThanOrEqual(width);
        expect(o.offenders, `elements past the right edge at ${width} px`).toEqual([]);
        expect(o.scrollWidth).toBeLessThanOrEqual(o.viewport);
      });
    });

    it.each(WIDTHS)('shows every badge word as visible, whole text at %i px, on colours of at least 4.5:1', async (width) => {
      await opened(emails[name], width, async ({ page }) => {
        const found = await badges(page);
        expect(found.length).toBeGreaterThan(0);
        for (const b of found) {
          const where = `${b.word} badge at ${JSON.stringify(b.box)}`;
          expect(b.visible, where).toBe(true);
          expect(b.text, where).toContain(b.word);
          expect(b.box.width * b.box.height, where).toBeGreaterThan(0);
          expect(b.box.left, where).toBeGreaterThanOrEqual(0);
          expect(b.box.right, where).toBeLessThanOrEqual(width);
          expect(b.fits, `${where}: its text is cut off or spills`).toBe(true);
          expect(b.contrast, `${where}: ${b.color} on ${b.background}`).toBeGreaterThanOrEqual(AA);
        }
      });
    });

    it('fetches nothing and uses only what mail clients draw: tables, inline styles, no remote images or fonts', async () => {
      await opened(emails[name], 600, async ({ page, requests }) => {
        expect(await mailClientProblems(page, emails[name])).toEqual([]);
        expect(requests).toEqual([]);
        expect(await page.locator('table').count()).toBeGreaterThan(0);
      });
    });
  });

  it('computes contrast as WCAG does', () => {
    expect(contrastRatio(parseColour('rgb(0, 0, 0)'), parseColour('rgb(255, 255, 255)'))).toBeCloseTo(21, 5);
    // #767676 on white: the lightest grey that passes AA.
    expect(contrastRatio(parseColour('rgb(118, 118, 118)'), parseColour('rgb(255, 255, 255)'))).toBeCloseTo(4.54, 2);
  });

  it('finds the faults when a page has them, so that passing means something', async () => {
    const bad = [
      '<!DOCTYPE html><html><head><link rel="stylesheet" href="https://fonts.example.com/x.css"><style>@font-face { font-family: X; src: url(https://fonts.example.com/x.woff2) }</style></head>',
      '<body style="margin:0"><img src="https://images.example.com/logo.png" alt="">',
      '<table width="900" style="width:900px"><tr><td width="800">Wide</td>',
      '<td data-badge="AMBER" style="color:#cccccc;background:#ffffff">AMBER</td></tr></table>',
      '<table><tr><td data-badge="RED" style="visibility:hidden">RED</td></tr></table></body></html>',
    ].join('');
    await opened(bad, 600, async ({ page, requests }) => {
      const o = await overflow(page);
      expect(o.scrollWidth).toBeGreaterThan(600);
      expect(o.offenders.map((e) => e.tag)).toEqual(expect.arrayContaining(['table', 'td']));
      const [amber, red] = await badges(page);
      expect(amber!.contrast).toBeLessThan(AA);
      expect(amber!.box.right).toBeGreaterThan(600);
      expect(red!.visible).toBe(false);
      expect(await mailClientProblems(page, bad)).toEqual([
        'a stylesheet link: https://fonts.example.com/x.css',
        '1 <style> element(s): styles must be inline',
        'an external image: https://images.example.com/logo.png',
        'an @font-face rule',
      ]);
      expect(requests).toEqual(expect.arrayContaining(['https://fonts.example.com/x.css', 'https://images.example.com/logo.png']));
    });
  });
});
