// The MFA coverage report of `iamd audit credentials --format html`, opened in Debian's
// chromium (playwright-core): the page renders from the one file (no request leaves it), the
// coverage chart is drawn, and the users table sorts when its header is clicked. A screenshot
// goes to $SCREENSHOT_DIR.
//
// Environment: REPORT_FILE (the HTML file), SCREENSHOT_DIR.
// Exits non-zero (with the reason) when the page does not look as it should.

import { mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const file = env('REPORT_FILE');
const shots = env('SCREENSHOT_DIR');
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
  const outside = [];
  page.on('request', (request) => {
    if (!request.url().startsWith('file:')) outside.push(request.url());
  });
  await page.goto(pathToFileURL(file).href);
  await page.screenshot({ path: `${shots}/mfa-report.png`, fullPage: true });
  if (outside.length) throw new Error(`the report loaded ${outside.join(', ')}`);

  const bars = await page.locator('svg rect').count();
  if (bars < 2) throw new Error(`the coverage chart has ${bars} bars`);
  if (!(await page.locator('svg').first().isVisible())) throw new Error('the chart is not visible');

  // Sorting: the users table's first column, clicked, is in order; clicked again, reversed.
  const names = () => page.locator('#users tbody tr td:first-child').allTextContents();
  const header = page.locator('#users th').first();
  await header.click();
  const once = await names();
  const sorted = [...once].sort();
  await header.click();
  const twice = await names();
  const ascending = JSON.stringify(once) === JSON.stringify(sorted);
  const descending = JSON.stringify(twice) === JSON.stringify([...sorted].reverse());
  if (once.length < 2 || !(ascending || descending) || JSON.stringify(once) === JSON.stringify(twice)) {
    throw new Error(`the users table does not sort: ${once} then ${twice}`);
  }
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${shots}/mfa-report-phone.png`, fullPage: true });
  console.log(`report ok: ${bars} bars, users ${once.join(' ')} / ${twice.join(' ')}`);
} catch (e) {
  console.error(`report page: ${e.message}`);
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
