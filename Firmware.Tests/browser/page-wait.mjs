// Waits until the page's expression `js` is truthy and returns its value. Polled with evaluate rather than
// waitForFunction: the console's Content-Security-Policy forbids the eval that waitForFunction uses inside the page, and
// the tests and the benchmark must see the page as served.
export async function waitFor(page, js, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await page.evaluate(js);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`still false after ${timeoutMs} ms: ${js}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
