// Opens the demo page in headless Chromium and prints, as JSON lines, the page's status changes, the text of
// every <li> it adds to #events, and every untyped "message" event its EventSource dispatches (the demo sends none,
// so any is a frame that should not have dispatched). Usage: node browser-client.mjs <page-url>
import { chromium } from 'playwright-core';

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
const page = await browser.newPage();
await page.exposeFunction('report', (line) => console.log(line));
await page.addInitScript(() => {
  const Native = window.EventSource;
  window.EventSource = class extends Native {
    constructor(url, init) {
      super(url, init);
      this.addEventListener('message', (e) => window.report(JSON.stringify({ message: e.data })));
    }
  };
  window.addEventListener('DOMContentLoaded', () => {
    const status = document.getElementById('status');
    new MutationObserver(() => window.report(JSON.stringify({ status: status.textContent })))
      .observe(status, { childList: true, characterData: true, subtree: true });
    new MutationObserver((mutations) => {
      for (const m of mutations) {
        for (const node of m.addedNodes) {
          window.report(JSON.stringify({ item: node.textContent }));
        }
      }
    }).observe(document.getElementById('events'), { childList: true });
  });
});
await page.goto(url);
console.log(JSON.stringify({ title: await page.title() }));
