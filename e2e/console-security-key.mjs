// FIDO2 security keys in the console, in Chromium with the DevTools protocol's virtual
// authenticator (ctap2, resident keys, user verification): register a key in "My security
// credentials", sign out, sign in with it (the users list shows under seed 000), then a cloned
// key (its signature counter set back) is refused, the genuine key still works, and removing
// it in the console deletes it. Set up by
// crates/iamd/tests/console_security_key.rs, which checks the IAM API when the script prints
// J1-WAIT-FOR-ADMIN. WebAuthn needs the console's origin: http://localhost:PORT.
//
// Environment: IAMD_URL, IAMD_ACCOUNT, J1_USER, J1_PASSWORD, SCREENSHOT_DIR.

import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const url = env('IAMD_URL').replace('127.0.0.1', 'localhost');
const account = env('IAMD_ACCOUNT');
const user = env('J1_USER');
const password = env('J1_PASSWORD');
const shots = env('SCREENSHOT_DIR');
mkdirSync(shots, { recursive: true });

function expect(cond, what) {
  if (!cond) throw new Error(`security key: ${what}`);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
let failed = false;
let page;
try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  page = await context.newPage();
  page.on('console', (m) => { if (m.type() !== 'error') console.error(`browser console: ${m.text()}`); });
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'usb', hasResidentKey: true,
      hasUserVerification: true, isUserVerified: true,
    },
  });
  let shot = 0;
  const snap = async (name) => {
    shot += 1;
    await page.screenshot({ path: `${shots}/security-key-${String(shot).padStart(2, '0')}-${name}.png`, fullPage: true });
  };
  const text = async () => page.locator('body').innerText();
  const signIn = async () => {
    await page.goto(`${url}/console/signin`);
    await page.getByLabel('Account ID or alias').fill(account);
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const signOut = async () => {
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    expect(page.url().endsWith('/console/signin'), `signed out: ${page.url()}`);
  };

  // Signed in without MFA: the users list is denied under seed 000.
  await signIn();
  expect(page.url().endsWith('/console/'), `signed in: ${page.url()}`);
  await page.goto(`${url}/console/users`);
  expect((await text()).includes('Access denied'), 'users list denied without MFA');

  // Register a key: Assign MFA device → Security key → name → the browser's ceremony.
  await page.goto(`${url}/console/security-credentials`);
  await page.getByRole('button', { name: 'Assign MFA device' }).click();
  await page.getByRole('link', { name: 'Security key' }).click();
  let body = await text();
  expect(body.includes('console sign-in only'), `the page says keys are console-only: ${body}`);
  await page.getByLabel('Device name').fill('alice-key');
  await snap('register');
  await Promise.all([
    page.waitForURL(/done=mfa/),
    page.getByRole('button', { name: 'Register security key' }).click(),
  ]);
  body = await text();
  expect(body.includes('Your MFA device is assigned.'), `the key is assigned: ${body}`);
  expect(new RegExp(`u2f/user/${user}/alice-key-[A-Z2-7]{26}`).test(body), `the key's serial is listed: ${body}`);
  await snap('registered');

  // Sign out, sign in with the key: MFA present, the users list shows.
  await signOut();
  await signIn();
  expect(page.url().endsWith('/console/signin/mfa'), `asked for MFA: ${page.url()}`);
  expect((await text()).includes('Use a security key'), 'the security key is offered');
  await snap('sign-in-key');
  await Promise.all([
    page.waitForURL(/\/console\/$/),
    page.getByRole('button', { name: 'Use security key' }).click(),
  ]);
  await page.goto(`${url}/console/users`);
  body = await text();
  expect(!body.includes('Access denied'), `users list allowed with the key: ${body}`);
  expect(await page.getByRole('link', { name: user, exact: true }).count() === 1, 'the users list shows the user');
  await snap('users-with-key');
  console.log('J1-WAIT-FOR-ADMIN');
  await new Promise((resolve) => process.stdin.once('data', resolve));

  // With an authenticator app too (the test assigned one), the user chooses.
  await signOut();
  await signIn();
  body = await text();
  expect(body.includes('Use a security key') && body.includes('Use an authenticator app'), `both kinds offered: ${body}`);
  expect((await page.getByLabel('MFA code').count()) === 1, 'the code field is there');
  await snap('choose-kind');
  await page.goto(`${url}/console/signout`);
  await page.getByRole('button', { name: 'Sign out' }).click();

  // A clone: the same key with its signature counter set back. Refused, not signed in.
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials.length === 1 && credentials[0].signCount >= 2, `one used credential: ${JSON.stringify(credentials.map((c) => c.signCount))}`);
  await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: credentials[0].credentialId });
  await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: { ...credentials[0], signCount: 0 } });
  await signIn();
  await Promise.all([
    page.waitForURL(/\/console\/signin\/security-key$/),
    page.getByRole('button', { name: 'Use security key' }).click(),
  ]);
  body = await text();
  expect(body.includes('signature counter did not increase'), `the clone is refused: ${body}`);
  expect(page.url().endsWith('/console/signin/security-key'), `not signed in: ${page.url()}`);
  await snap('clone-refused');
  await page.goto(`${url}/console/users`);
  expect(page.url().endsWith('/console/signin/mfa'), `still half signed in: ${page.url()}`);

  // The genuine key (its counter ahead of the stored one) still works; remove it.
  await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: credentials[0].credentialId });
  await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: { ...credentials[0], signCount: 100 } });
  await Promise.all([
    page.waitForURL(/\/console\/$/),
    page.getByRole('button', { name: 'Use security key' }).click(),
  ]);
  await page.goto(`${url}/console/security-credentials`);
  await page.getByRole('row').filter({ hasText: 'u2f/' }).getByRole('button', { name: 'Remove' }).click();
  body = await text();
  expect(body.includes('The MFA device was removed.'), `the key is removed: ${body}`);
  expect(!body.includes('u2f/') && body.includes('mfa/alice-app'), `the app is left: ${body}`);
  await snap('removed');
  console.log('J1-WAIT-FOR-ADMIN');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  console.log('security key: all steps passed');
} catch (e) {
  failed = true;
  console.error(e.stack || String(e));
  if (page) console.error(`at ${page.url()}:\n${await page.locator('body').innerText().catch(() => '')}`);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
