// Journey J1 (../../shared/JOURNEYS.md) in a real browser: Debian's chromium driven by
// playwright-core, against a running `iamd serve` set up by crates/iamd/tests/console_j1.rs.
// Fields and buttons are found by their visible labels and names; TOTP codes are computed
// from the secret key the page shows. A screenshot of each step goes to $SCREENSHOT_DIR.
//
// Environment: IAMD_URL (http://127.0.0.1:PORT), IAMD_ACCOUNT, J1_USER, J1_PASSWORD,
// J1_NEW_PASSWORD, SCREENSHOT_DIR, J1_VARIANT (seed000 | seed001-reset | seed001-device).
// Exits non-zero (with the reason) on the first step that does not go as J1 says.

import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const url = env('IAMD_URL');
const account = env('IAMD_ACCOUNT');
const user = env('J1_USER');
const password = env('J1_PASSWORD');
const newPassword = env('J1_NEW_PASSWORD');
const shots = env('SCREENSHOT_DIR');
const variant = process.env.J1_VARIANT || 'seed000';
mkdirSync(shots, { recursive: true });

/** RFC 6238 TOTP (HMAC-SHA1, 6 digits, 30 s) of a Base32 secret for time step `step`. */
function totp(secret, step) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error(`not Base32: ${c}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return code.toString().padStart(6, '0');
}
const stepNow = () => Math.floor(Date.now() / 1000 / 30);

/** Fails with `what` unless `cond`. */
function expect(cond, what) {
  if (!cond) throw new Error(`J1 (${variant}): ${what}`);
}

async function waitForFreshStep() {
  // At least 8 s left in the current 30 s step, so both codes are still good when checked.
  while ((Date.now() / 1000) % 30 > 22) await new Promise((r) => setTimeout(r, 500));
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
let failed = false;
try {
  // The journey runs at a phone's width (390 px); the sign-in page is also shot at desktop's.
  const desktop = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await desktop.goto(`${url}/`);
  await desktop.screenshot({ path: `${shots}/${variant}-desktop-signin.png`, fullPage: true });
  await desktop.close();
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  let shot = 0;
  const snap = async (name) => {
    shot += 1;
    await page.screenshot({ path: `${shots}/${variant}-${String(shot).padStart(2, '0')}-${name}.png`, fullPage: true });
  };
  const text = async () => page.locator('body').innerText();
  const signIn = async (pw) => {
    await page.goto(`${url}/`);
    expect(page.url().endsWith('/console/signin'), `GET / goes to the sign-in page, not ${page.url()}`);
    await page.getByLabel('Account ID or alias').fill(account);
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password', { exact: true }).fill(pw);
    await snap('signin');
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  // Step 1: sign in with the temporary password; the change-password page with the policy.
  // (The seed 001 device variant's password needs no reset: it keeps its password.)
  const resets = variant !== 'seed001-device';
  const finalPassword = resets ? newPassword : password;
  await signIn(password);
  if (resets) {
    expect(page.url().endsWith('/console/change-password'), `sign-in lands on change-password, not ${page.url()}`);
    expect((await text()).includes('Password policy'), 'the change-password page shows the password policy');
    await page.getByLabel('Current password', { exact: true }).fill(password);
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Confirm new password', { exact: true }).fill(newPassword);
    await snap('change-password');
    await page.getByRole('button', { name: 'Change password' }).click();
  } else {
    expect(page.url().endsWith('/console/'), `signed in: ${page.url()}`);
  }
  if (variant === 'seed001-reset') {
    // Seed 001: ChangePassword is denied without MFA, and the page says exactly that.
    const body = await text();
    expect(body.includes('Your password cannot be changed without MFA.'), `the lockout is explained: ${body}`);
    expect(body.includes('aws:MultiFactorAuthPresent'), 'the failed condition is named');
    await snap('password-change-denied');
    console.log('J1 seed001-reset: the lockout is explained');
  } else {
    if (resets) {
      expect(page.url().includes('/console/security-credentials'), `after the change: ${page.url()}`);
      expect((await text()).includes('Your password was changed.'), 'the change is confirmed');
      await snap('password-changed');
    }

    // Step 2: the users list is denied, with why and what to do.
    await page.goto(`${url}/console/users`);
    let body = await text();
    expect(body.includes('Access denied'), `users list denied: ${body}`);
    expect(body.includes('aws:MultiFactorAuthPresent'), 'the failed condition is named');
    expect(body.includes('Assign an MFA device first'), 'the remedy says to assign a device');
    expect(body.includes('You signed in without MFA.'), 'the MFA banner is shown');
    await snap('users-denied');

    // Step 3: start assigning a device, see the QR code and the secret, leave.
    const startWizard = async () => {
      await page.goto(`${url}/console/security-credentials`);
      await page.getByRole('button', { name: 'Assign MFA device' }).click();
      const name = page.getByLabel('Device name');
      expect((await name.inputValue()) === user, 'the device name defaults to the user name');
      await page.getByRole('button', { name: 'Show QR code' }).click();
      const qr = page.getByRole('img', { name: 'QR code of the MFA device' });
      await qr.waitFor();
      const box = await qr.boundingBox();
      expect(box && box.width > 100, 'the QR code is shown');
      const secret = (await page.getByLabel('Secret key').innerText()).trim();
      expect(/^[A-Z2-7]{32,}$/.test(secret), `the secret key is shown as Base32 text: ${secret}`);
      return secret;
    };
    const first = await startWizard();
    await snap('mfa-qr-abandoned');
    await page.goto(`${url}/console/security-credentials`);

    // Step 4: start again with the same name.
    if (variant === 'seed001-device') {
      await page.getByRole('button', { name: 'Assign MFA device' }).click();
      await page.getByRole('button', { name: 'Show QR code' }).click();
      body = await text();
      expect(body.includes('An administrator must delete it'), `the administrator is needed: ${body}`);
      expect(body.includes('aws iam list-virtual-mfa-devices --assignment-status Unassigned'), 'the listing command is shown');
      expect(body.includes('aws iam delete-virtual-mfa-device --serial-number'), 'the delete command is shown');
      await snap('mfa-admin-must-delete');
      // The test deletes the device as the administrator with the AWS CLI, then signals.
      console.log('J1-WAIT-FOR-ADMIN');
      await new Promise((resolve) => process.stdin.once('data', resolve));
    }
    const second = await startWizard();
    expect(second !== first, 'a new device (a new secret) replaces the abandoned one');
    await snap('mfa-qr');

    // Step 5: two consecutive codes assign it.
    await waitForFreshStep();
    const enabledAt = stepNow();
    await page.getByLabel('MFA code 1').fill(totp(second, enabledAt - 1));
    await page.getByLabel('MFA code 2').fill(totp(second, enabledAt));
    await page.getByRole('button', { name: 'Add MFA' }).click();
    body = await text();
    expect(body.includes('Your MFA device is assigned.'), `the device is assigned: ${body}`);
    await snap('mfa-assigned');

    // Step 6: still denied in this sign-in, and told to sign in again.
    await page.goto(`${url}/console/users`);
    body = await text();
    expect(body.includes('Access denied'), 'users list still denied');
    expect(
      body.includes('Your permissions require signing in with MFA. You have an MFA device: sign out and sign in again with it.'),
      `the remedy says to sign in again: ${body}`,
    );
    await snap('users-denied-sign-in-again');

    // Step 7: sign out, sign in with the new password and a code; the users list shows.
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    expect(page.url().endsWith('/console/signin'), `signed out: ${page.url()}`);
    await signIn(finalPassword);
    expect(page.url().endsWith('/console/signin/mfa'), `asked for an MFA code: ${page.url()}`);
    await page.getByLabel('MFA code').fill(totp(second, Math.max(stepNow(), enabledAt + 1)));
    await snap('mfa-code');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.goto(`${url}/console/users`);
    body = await text();
    expect(!body.includes('Access denied'), `users list allowed with MFA: ${body}`);
    expect(await page.getByRole('link', { name: user, exact: true }).count() === 1, 'the users list shows the user');
    expect(!body.includes('You signed in without MFA.'), 'no MFA banner after an MFA sign-in');
    await snap('users-with-mfa');

    if (variant === 'seed000') {
      // Step 8: the event history has her two ConsoleLogin events, newest first: with MFA,
      // then without (the test lets the developers call cloudtrail:LookupEvents).
      await page.getByRole('link', { name: 'Event history' }).click();
      expect(page.url().endsWith('/console/events'), `the event history: ${page.url()}`);
      await page.getByLabel('Lookup attribute').selectOption('EventName');
      await page.getByLabel('Attribute value').fill('ConsoleLogin');
      await page.getByRole('button', { name: 'Look up events' }).click();
      const rows = await page.locator('table.events tr').evaluateAll((trs) =>
        trs.slice(1).map((tr) => [...tr.cells].map((td) => td.innerText.trim())));
      const shown = JSON.stringify(rows);
      expect(rows.length === 2, `two ConsoleLogin events: ${shown}`);
      for (const [row, mfa] of [[rows[0], 'Yes'], [rows[1], 'No']]) {
        expect(row[1] === user && row[2] === 'ConsoleLogin' && row[3] === 'signin.amazonaws.com',
          `a ConsoleLogin of ${user}: ${shown}`);
        expect(row[5] === mfa, `MFA used ${mfa}: ${shown}`);
      }
      await snap('event-history');
      await page.getByRole('link', { name: 'ConsoleLogin' }).first().click();
      body = await text();
      expect(body.includes('"MFAUsed": "Yes"'), `the record of the MFA sign-in: ${body}`);
      await snap('event-record');
    }
    console.log(`J1 ${variant}: all steps passed`);
  }
} catch (e) {
  failed = true;
  console.error(e.stack || String(e));
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
