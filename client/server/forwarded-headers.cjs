'use strict';
/**
 * Installed by preload.cjs (`node --require ./server/preload.cjs`, see package.json) so the
 * API behind the /api rewrite learns who the browser really is.
 *
 * Next forwards rewritten requests with the client's own X-Forwarded-For and
 * X-Forwarded-Proto untouched and adds neither; the API trusts the loopback hop
 * (TRUST_PROXY=loopback), so without this any browser could name its own address
 * (dodging per-IP rate limits) or claim https. Before Node hands a request to Next, this
 * replaces those headers with what the socket says, unless the peer is one of the
 * proxies named in WEB_TRUST_PROXY (same syntax as the API's TRUST_PROXY), whose values
 * are kept. Node's `http.server.request.start` diagnostics channel fires for every
 * request before any listener sees it, so no request slips past, not even during start-up.
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

function install(env = process.env) {
  const trust = compileTrust(env.WEB_TRUST_PROXY);
  diagnostics.subscribe('http.server.request.start', ({ request }) => rewriteForwarded(request, trust));
}

module.exports = { rewriteForwarded, compileTrust, install };
