// The baseline for bench/slack_ingest: the smallest Slack Bolt for JavaScript app that receives
// Events API callbacks the way a Bolt app is normally deployed -- Bolt's default HTTP receiver,
// signature verification on, processBeforeResponse off (the 200 goes out before the listener
// runs) and a message listener that does nothing.
//
// Usage: SLACK_SIGNING_SECRET=... node app.js [--port N] [--lifetime SECONDS]
// Prints "listening on PORT" once it accepts connections (port 0 picks a free port) and exits by
// itself after --lifetime seconds (default 1800), so a forgotten run never lingers.
'use strict';

const { App, LogLevel } = require('@slack/bolt');

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && index + 1 < process.argv.length ? process.argv[index + 1] : fallback;
}

const port = Number(option('port', '3000'));
const lifetimeSeconds = Number(option('lifetime', '1800'));
const signingSecret = process.env.SLACK_SIGNING_SECRET;
if (!signingSecret) {
  console.error('app.js: set SLACK_SIGNING_SECRET');
  process.exit(2);
}

const app = new App({
  signingSecret,
  // A bot token with its identity given up front: Bolt then never calls auth.test, so the app
  // needs no network beyond its own listener.
  token: 'xoxb-bench-token',
  botId: 'B0PRIKBOT',
  botUserId: 'U0PRIKBOT',
  processBeforeResponse: false,
  logLevel: LogLevel.ERROR,
});

app.event('message', async () => {});

(async () => {
  const server = await app.start({ port, host: '127.0.0.1' });
  console.log(`listening on ${server.address().port}`);
  setTimeout(() => process.exit(0), lifetimeSeconds * 1000);
})().catch((error) => {
  console.error('app.js:', error);
  process.exit(1);
});
