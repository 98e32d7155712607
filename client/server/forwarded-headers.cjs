'use strict';
/**
 * Installed by preload.cjs (`node --require ./server/preload.cjs`, see package.json) so the
 * API behind the client's /api path learns who the browser really is.
 *
 * Requests arrive with the client's own X-Forwarded-For and X-Forwarded-Proto; /api
 * passes both on to the API (lib/api-edge.ts, and Next fills them in only when absent),
 * and the API trusts the loopback hop
 * (TRUST_PROXY=loopback), so without this any browser could name its own address
 * (dodging per-IP rate limits) or claim https. Before Node hands a request to Next, this
 * replaces those headers with what the socket says, unless the peer is one of the
 * proxies named in WEB_TRUST_PROXY (same syntax as the API's TRUST_PROXY), whose values
 * are kept. Node's `http.server.request.start` diagnostics channel fires for every
 * ordinary request before any listener sees it, so none slips past, not even during
 * start-up; upgrade requests are caught by hookUpgrades below.
 */
const diagnostics = require('node:diagnostics_channel');

/** @param {string | undefined} raw */
function compileTrust(raw) {
  const value = (raw || '').trim();
  if (value === '' || value === 'false') return () => false;
  if (value === 'true') {
    throw new Error('WEB_TRUST_PROXY must name the proxies to trust (loopback, a hop count, addresses or subnets), not "true"');
  }
  const proxyaddr = require('proxy-addr');
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return (_addr, i) => i < hops;
  }
  return proxyaddr.compile(
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/** ::ffff:127.0.0.1 → 127.0.0.1, as the API logs and lists addresses. */
const plain = (addr) => (addr && addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr);

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {(addr: string, i: number) => boolean} trust
 */
function rewriteForwarded(req, trust) {
  const socket = req.socket;
  const peer = socket.remoteAddress || '';
  const peerTrusted = peer !== '' && trust(peer, 0);

  let client = peer;
  let proto = socket.encrypted ? 'https' : 'http';
  if (peerTrusted) {
    const proxyaddr = require('proxy-addr');
    client = proxyaddr(req, trust);
    const sent = String(req.headers['x-forwarded-proto'] || '')
      .split(',')[0]
      .trim()
      .toLowerCase();
    if (sent === 'http' || sent === 'https') proto = sent;
  }
  req.headers['x-forwarded-for'] = plain(client);
  req.headers['x-forwarded-proto'] = proto;
  // Other spellings of the same claims are nobody's business downstream.
  delete req.headers.forwarded;
  delete req.headers['x-real-ip'];
}

/**
 * Requests that ask for an upgrade (`Connection: Upgrade`) never reach that channel: Node
 * hands them to the server's 'upgrade' listeners instead, and Next passes an upgrade to
 * a rewrite's destination as it came. The client has no such rewrite any more, and
 * refuses upgrades under /api (lib/api-edge.ts), but whatever Next or a later version
 * does with an upgrade, the headers it carries are rewritten first here too.
 * @param {(addr: string, i: number) => boolean} trust
 */
function hookUpgrades(trust) {
  for (const Server of [require('node:http').Server, require('node:https').Server]) {
    const emit = Server.prototype.emit;
    Server.prototype.emit = function emitWithForwardedHeaders(event, ...args) {
      if (event === 'upgrade') rewriteForwarded(args[0], trust);
      return emit.call(this, event, ...args);
    };
  }
}

function install(env = process.env) {
  const trust = compileTrust(env.WEB_TRUST_PROXY);
  diagnostics.subscribe('http.server.request.start', ({ request }) => rewriteForwarded(request, trust));
  hookUpgrades(trust);
}

module.exports = { rewriteForwarded, compileTrust, install };
