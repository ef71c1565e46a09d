// Opens the extension's Dev UI page in headless Chromium and prints, as JSON lines, what the page shows whenever it
// changes: "open" (the open connections), "named" (name:connections of every named channel, comma-separated),
// "stores" (name:channels:connections of every store) and "events" (the frames of the last events, joined by "|").
// Reads commands as JSON lines on its standard input: {"send": {"event": ..., "data": ...}} fills the page's form and
// clicks Send; {"screenshot": path} saves a screenshot there, without notifications.
// Usage: node devui-client.mjs <page-url>
import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';

const [url] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const shutdown = async () => {
  await browser.close();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
page.on('pageerror', (e) => console.log(JSON.stringify({ pageError: e.message })));
await page.goto(url);
console.log(JSON.stringify({ loaded: url }));

// playwright's CSS selectors reach into the Dev UI's shadow roots
const component = 'qwc-sse-channels-channels';
const texts = (selector) => page.locator(`${component} ${selector}`).allTextContents();
const shown = {};
const report = (field, value) => {
  if (shown[field] !== value) {
    shown[field] = value;
    console.log(JSON.stringify({ [field]: value }));
  }
};
const clean = (text) => text.replace(/\s+/g, ' ').trim();

const commands = createInterface({ input: process.stdin });
commands.on('line', async (line) => {
  const command = JSON.parse(line);
  try {
    if (command.send) {
      await page.locator(`${component} #event-name input`).fill(command.send.event);
      await page.locator(`${component} #data textarea`).fill(command.send.data);
      await page.locator(`${component} #send`).click();
      console.log(JSON.stringify({ clicked: 'send' }));
    } else if (command.screenshot) {
      // without the Dev UI's notifications: offline, the Dev UI's own look-up of installable extensions fails with one
      await page.addStyleTag({ content: 'vaadin-notification-container { display: none !important; }' });
      await page.screenshot({ path: command.screenshot });
      console.log(JSON.stringify({ screenshot: command.screenshot }));
    }
  } catch (e) {
    console.log(JSON.stringify({ commandError: `${line}: ${e.message}` }));
  }
});

for (;;) {
  const open = await texts('#open');
  report('open', open.length > 0 ? clean(open[0]).split(' ')[0] : '');
  const named = await page.locator(`${component} #named tr.channel`).evaluateAll(
    (rows) => rows.map((r) => `${r.dataset.channel}:${r.querySelector('.connections').textContent.trim()}`));
  report('named', named.join(','));
  const stores = await page.locator(`${component} #stores tbody tr`).evaluateAll(
    (rows) => rows.map((r) => `${r.dataset.store}:${r.querySelector('.channels').textContent.trim()}:`
      + `${r.querySelector('.connections').textContent.trim()}`));
  report('stores', stores.join(','));
  const frames = await texts('#events tbody pre');
  report('events', frames.map((f) => f.trim()).join('|'));
  await new Promise((resolve) => setTimeout(resolve, 200));
}
