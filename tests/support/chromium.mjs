// The headless Chromium every browser test runs: Debian's, driven by playwright-core (never a
// browser playwright downloads), with nothing that reaches the network on its own.
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Launches the test browser; the caller closes it. */
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
