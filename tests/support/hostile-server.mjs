// Replies a hostile endpoint makes, for the tests that attack a client or the worker with them.

/**
 * Writes zero-filled chunks (through `out`: the response itself, or a gzip stream piped into it)
 * until `limit` bytes went in or the client hung up. Resolves to the bytes written. Bounded, so
 * that a client that reads without a limit cannot take the machine's memory: it ends after `limit`
 * instead.
 */
export function writeZeros(res, out, limit) {
  const chunk = Buffer.alloc(64 * 1024, 0x30); // '0': JSON-ish text that never ends
  return new Promise((resolve) => {
    let written = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolve(written);
    };
    res.on('close', finish);
    const pump = () => {
      while (!done && !res.destroyed && written < limit) {
        written += chunk.length;
        if (!out.write(chunk)) {
          out.once('drain', pump);
          return;
        }
      }
      if (written >= limit) out.end();
    };
    pump();
    res.on('finish', finish);
  });
}
