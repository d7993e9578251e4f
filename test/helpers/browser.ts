import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * The little of the DOM the page-side checks use. tsconfig's lib leaves the DOM out, so that the
 * service's own code cannot lean on it; these are local to this module and run in the browser.
 */
interface PageElement {
  tagName: string;
  textContent: string | null;
  parentElement: PageElement | null;
  scrollWidth: number;
  clientWidth: number;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { left: number; right: number; width: number; height: number };
}
declare const document: { documentElement: PageElement & { scrollWidth: number }; body: PageElement; querySelectorAll(selector: string): Iterable<PageElement> };
declare function getComputedStyle(el: PageElement): { color: string; backgroundColor: string };

const DEFAULT_CHROMIUM = '/usr/bin/chromium';
/** Nothing of the browser's own calls home, updates or syncs: the only traffic is the page's. */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Debian's Chromium, or undefined (said on stderr) for the browser tests to be skipped on a
 * machine without it. In CI a missing browser throws: there the tests must run, never skip.
 */
export function chromiumPath(): string | undefined {
  const file = process.env.LINEOFSIGHT_CHROMIUM ?? DEFAULT_CHROMIUM;
  if (existsSync(file)) return file;
  const why = `no Chromium at ${file} (apt-get install chromium, or set LINEOFSIGHT_CHROMIUM)`;
  if (process.env.CI === 'true') throw new Error(`${why}: in CI the browser tests must run`);
  console.warn(`the browser tests are skipped: ${why}`);
  return undefined;
}

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: ARGS });
}

export interface OpenedHtml {
  page: Page;
  /** Every request the page tried to make beyond its own content: each was refused. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * HTML opened as a mail client would show it, `width` px wide. A mail client blocks remote
 * content, and a message that needs any is one that reads badly there, so every request is
 * refused and noted for the test to see.
 */
export async function openHtml(browser: Browser, html: string, width: number): Promise<OpenedHtml> {
  const context = await browser.newContext({ viewport: { width, height: 800 }, serviceWorkers: 'block' });
  const requests: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (/^(data|about):/.test(url)) return route.continue();
    requests.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  await page.setContent(html, { waitUntil: 'load' });
  return { page, requests, close: () => context.close() };
}

export interface Overflow {
  /** The width the page is laid out in (the viewport less any scrollbar). */
  viewport: number;
  scrollWidth: number;
  /** Elements reaching past the viewport's right edge, named so that a failure says where. */
  offenders: { tag: string; text: string; right: number }[];
}

/** What of the page is wider than the viewport. */
export function overflow(page: Page): Promise<Overflow> {
  return page.evaluate(() => {
    const viewport = document.documentElement.clientWidth;
    const offenders = [...document.querySelectorAll('body *')].flatMap((el) => {
      const right = el.getBoundingClientRect().right;
      // Half a pixel of rounding is layout, not overflow.
      return right > viewport + 0.5 ? [{ tag: el.tagName.toLowerCase(), text: (el.textContent ?? '').trim().slice(0, 80), right: Math.round(right) }] : [];
    });
    return { viewport, scrollWidth: document.documentElement.scrollWidth, offenders };
  });
}

export interface Badge {
  word: string;
  /** Its innerText, as a reader (or a screen reader) gets it. */
  text: string;
  visible: boolean;
  box: { left: number; right: number; width: number; height: number };
  /** Its text fits in it rather than spilling or being cut off. */
  fits: boolean;
  color: string;
  /** The colour drawn behind it: its own, or that of the first ancestor with one. */
  background: string;
  contrast: number;
}

/** Every element marked data-badge, with what a reader sees of it. */
export async function badges(page: Page): Promise<Badge[]> {
  const seen = await page.evaluate(() =>
    [...document.querySelectorAll('[data-badge]')].map((el) => {
      const layers: string[] = [];
      for (let at: PageElement | null = el; at; at = at.parentElement) layers.push(getComputedStyle(at).backgroundColor);
      const { left, right, width, height } = el.getBoundingClientRect();
      return { word: el.getAttribute('data-badge') ?? '', color: getComputedStyle(el).color, layers, box: { left, right, width, height }, fits: el.scrollWidth <= el.clientWidth };
    }),
  );
  const all = page.locator('[data-badge]');
  return Promise.all(
    seen.map(async (b, i) => {
      const background = backdrop(b.layers.map(parseColour));
      const colour = over(parseColour(b.color), background);
      return { word: b.word, text: await all.nth(i).innerText(), visible: await all.nth(i).isVisible(), box: b.box, fits: b.fits, color: b.color, background: css(background), contrast: contrastRatio(colour, background) };
    }),
  );
}

/** Problems a mail client would have with the HTML: anything it strips or will not fetch, and layout Outlook's Word engine cannot draw. */
export async function mailClientProblems(page: Page, html: string): Promise<string[]> {
  const found = await page.evaluate(() => ({
    stylesheets: [...document.querySelectorAll('link[rel~="stylesheet" i]')].map((l) => l.getAttribute('href') ?? ''),
    styleElements: [...document.querySelectorAll('style')].length,
    images: [...document.querySelectorAll('img')].map((i) => i.getAttribute('src') ?? '').filter((src) => !/^(data|cid):/i.test(src)),
  }));
  return [
    ...found.stylesheets.map((href) => `a stylesheet link: ${href}`),
    ...(found.styleElements ? [`${found.styleElements} <style> element(s): styles must be inline`] : []),
    ...found.images.map((src) => `an external image: ${src}`),
    ...(/@font-face/i.test(html) ? ['an @font-face rule'] : []),
    ...(/display\s*:\s*(inline-)?(flex|grid)/i.test(html) ? ['flex or grid layout: Outlook draws tables'] : []),
  ];
}

export type Rgba = [r: number, g: number, b: number, a: number];

/** A computed CSS colour ("rgb(1, 2, 3)", "rgba(1, 2, 3, 0.5)"); Chromium gives sRGB colours so. */
export function parseColour(text: string): Rgba {
  const m = /^rgba?\(([^)]*)\)$/.exec(text.trim());
  const parts = m?.[1]!.split(/[\s,/]+/).filter(Boolean).map(Number);
  if (!parts || parts.length < 3 || parts.some(Number.isNaN)) throw new Error(`not an rgb() colour: ${text}`);
  return [parts[0]!, parts[1]!, parts[2]!, parts[3] ?? 1];
}

/** `top` painted over an opaque `under`. */
function over(top: Rgba, under: Rgba): Rgba {
  const a = top[3];
  return [0, 1, 2].map((i) => top[i]! * a + under[i]! * (1 - a)).concat(1) as Rgba;
}

/** The opaque colour seen through backgrounds listed innermost first, over the white of the page's canvas. */
function backdrop(layers: readonly Rgba[]): Rgba {
  return layers.reduceRight<Rgba>((under, layer) => over(layer, under), [255, 255, 255, 1]);
}

const css = (c: Rgba) => `rgb(${c.slice(0, 3).map(Math.round).join(', ')})`;

/** WCAG 2.x relative luminance of an sRGB colour. */
function luminance(c: Rgba): number {
  const [r, g, b] = c.slice(0, 3).map((v) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2.x contrast ratio of two opaque colours, 1 to 21. */
export function contrastRatio(a: Rgba, b: Rgba): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}
