// WordPress's authorize-application flow in a real browser (headless
// Chromium through playwright-core), as a desktop editor app starts it:
// open the page, sign in with a wrong password then the right one,
// approve, and land on the app's callback. Prints what the callback
// received as JSON.
//
// Environment: BASE (the server), EMAIL, PASSWORD, APP_NAME, CHROMIUM (the
// browser), NODE_CLIENTS (the directory holding node_modules; defaults to
// this script's).
//
// The callback is a loopback http server of this script's, as a desktop
// app listens for it. (Answering an https://app.example callback with
// `page.route` does not work: Playwright does not intercept the hop of a
// redirect.) A real navigation, so Chromium applies the page's
// `form-action` to the redirect.

import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const clients = process.env.NODE_CLIENTS || dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(clients, 'package.json'));
const { chromium } = require('playwright-core');

const { BASE, EMAIL, PASSWORD, APP_NAME, CHROMIUM } = process.env;

let callback = null;
const server = createServer((req, res) => {
  // Not the favicon the browser may ask for.
  if (req.url.startsWith('/callback')) {
    callback = `http://127.0.0.1:${server.address().port}${req.url}`;
  }
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end('<!DOCTYPE html><title>Ulysses</title><p>Connecté.</p>');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const CALLBACK = `http://127.0.0.1:${server.address().port}/callback?state=42`;

function fail(message) {
  throw new Error(message);
}

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
try {
  const page = await browser.newPage();
  // CSP refusals show in the console: make them visible in a failure.
  page.on('console', (m) => process.stderr.write(`console: ${m.text()}\n`));

  const query = [
    ['app_name', APP_NAME],
    ['app_id', '8f0c6b4e-3f7a-4a55-9a8e-2d1c0b9e7f10'],
    ['success_url', CALLBACK],
  ]
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  const opened = await page.goto(`${BASE}/wp-admin/authorize-application.php?${query}`);
  if (opened.status() !== 200) fail(`the page answered ${opened.status()}`);
  const shown = await page.locator('main p strong').first().textContent();

  // A wrong password: the page again (401), the email kept, a new token.
  await page.fill('#email', EMAIL);
  await page.fill('#password', 'pas le bon mot de passe');
  const [refused] = await Promise.all([
    page.waitForNavigation(),
    page.click('button[value=approve]'),
  ]);
  if (refused.status() !== 401) fail(`a wrong password answered ${refused.status()}`);
  const error = await page.locator('.error').textContent();
  const keptEmail = await page.inputValue('#email');

  await page.fill('#password', PASSWORD);
  await Promise.all([
    page.waitForURL((url) => url.href.startsWith(CALLBACK)),
    page.click('button[value=approve]'),
  ]);
  if (!callback) fail('the callback was never requested');
  const url = new URL(callback);
  const p = url.searchParams;
  process.stdout.write(
    JSON.stringify({
      callback: CALLBACK,
      url: callback,
      landed: page.url(),
      shown,
      error,
      kept_email: keptEmail,
      state: p.get('state'),
      site_url: p.get('site_url'),
      user_login: p.get('user_login'),
      password: p.get('password'),
    }) + '\n',
  );
} finally {
  await browser.close();
  server.close();
}
