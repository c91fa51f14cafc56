// Renders media/icon.svg (the source) to media/icon.png (what package.json's icon names), 256x256 with a
// transparent background, in the headless chromium the tests use. Run it after editing the SVG.
import { readFileSync } from 'node:fs';
import { launchBrowser } from '../test/vscode/browser.mjs';

const svg = readFileSync('media/icon.svg', 'utf8');
const { page, close } = await launchBrowser({ viewport: { width: 256, height: 256 } });
try {
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: 'media/icon.png', omitBackground: true });
} finally {
  await close();
}
