// Drives the vendor's Node SDK, @alicloud/pop-core (RPCClient, signature v1), against an
// endpoint, for tests/vendor-clients.test.mjs: the same job on stdin and the same JSON lines on
// stdout as tests/support/vendor_client.py (see there), with "sdk": "pop-core" and "method"
// ("POST", as the vendor's examples for this API send it, or "GET", RPCClient's default).
'use strict';

const RPCClient = require('@alicloud/pop-core').RPCClient;

const MAX_REQUESTS = 50; // a bound on the requests one job sends

function describe(error) {
  return {
    ok: false,
    code: error.code ?? null,
    status: error.entry?.response?.statusCode ?? null,
    message: error.data?.Message ?? error.message,
    type: error.name,
  };
}

async function main() {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  const job = JSON.parse(text);
  const client = new RPCClient({
    accessKeyId: job.accessKeyId,
    accessKeySecret: job.accessKeySecret,
    endpoint: `http://${job.endpoint}`,
    apiVersion: '2016-11-01',
  });
  let sent = 0;
  for (const request of job.requests) {
    for (let i = 0; i < Math.max(1, request.count ?? 1); i++) {
      if (sent >= MAX_REQUESTS) return;
      sent++;
      let outcome;
      try {
        const params = { RegionId: 'cn-shanghai', ...request.params };
        const body = await client.request(request.action, params, { method: job.method ?? 'POST', timeout: 10_000 });
        outcome = { ok: true, body };
      } catch (error) {
        outcome = describe(error);
      }
      process.stdout.write(`${JSON.stringify({ action: request.action, ...outcome })}\n`);
      if (!outcome.ok && outcome.code === request.stopOn) break;
    }
  }
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
