#!/usr/bin/env node
// In-namespace helper for the NAT Lens kernel lab (test/kernel/lab.ts).
// It is started with `ip netns exec <ns> node netns-agent.cjs ...` and lives
// only as long as the lab that started it:
//   * it exits when its stdin closes (the lab process ended, even by SIGKILL),
//     on SIGTERM/SIGINT, and in any case after --ttl-ms;
//   * with --serve IP --ports P1,P2 it is an echo server: TCP on 0.0.0.0:P and
//     UDP on IP:P. Each TCP connection / UDP datagram gets one JSON line back:
//     {"pod":NAME,"proto":"tcp"|"udp","local":"ip:port it was reached on","remote":"ip:port it sees"}
//     ("local" shows the DNAT result, "remote" the source after any SNAT/MASQUERADE);
//   * on stdin it takes JSON-line requests {"id","op":"connect","host","port","proto","count","timeoutMs"}
//     and answers {"id","results":[...]} on stdout after making `count` sequential
//     connections (each a fresh socket, so a fresh source port and conntrack entry).
// Bounds: count <= 200, timeoutMs <= 10000 per connection. It only ever connects
// to the address it is asked to, from inside its own namespace.
'use strict';
const net = require('net');
const dgram = require('dgram');
const readline = require('readline');

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
};
const name = arg('name', 'agent');
const ttlMs = Math.min(Number(arg('ttl-ms', '120000')), 30 * 60 * 1000);
const serveIP = arg('serve', '');
const ports = (arg('ports', '') || '').split(',').filter(Boolean).map(Number);

const servers = [];
const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const strip = (a) => String(a || '').replace(/^::ffff:/, '');

function stop(code) {
  for (const s of servers) { try { s.close(); } catch { /* already closed */ } }
  process.exit(code);
}
setTimeout(() => stop(0), ttlMs).unref();
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));

function reply(proto, local, remote) {
  return JSON.stringify({ pod: name, proto, local, remote }) + '\n';
}

async function startServers() {
  const waits = [];
  for (const port of ports) {
    const tcp = net.createServer((sock) => {
      sock.on('error', () => {});
      sock.end(reply('tcp', `${strip(sock.localAddress)}:${sock.localPort}`, `${strip(sock.remoteAddress)}:${sock.remotePort}`));
    });
    servers.push(tcp);
    waits.push(new Promise((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen({ host: '0.0.0.0', port }, resolve);
    }));
    // UDP is bound to the pod's own address, so "local" is the real destination.
    const udp = dgram.createSocket('udp4');
    servers.push(udp);
    udp.on('message', (_m, rinfo) => {
      const a = udp.address();
      udp.send(reply('udp', `${a.address}:${a.port}`, `${rinfo.address}:${rinfo.port}`), rinfo.port, rinfo.address);
    });
    waits.push(new Promise((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, serveIP, resolve);
    }));
  }
  await Promise.all(waits);
}

function tcpOnce(host, port, timeoutMs) {
  return new Promise((resolve) => {
    let buf = '';
    let done = false;
    const s = net.connect({ host, port });
    const finish = (r) => { if (!done) { done = true; clearTimeout(t); s.destroy(); resolve(r); } };
    const t = setTimeout(() => finish({ ok: false, error: 'timeout' }), timeoutMs);
    let client;
    s.on('connect', () => { client = `${strip(s.localAddress)}:${s.localPort}`; });
    s.on('data', (d) => { buf += d; });
    s.on('error', (e) => finish({ ok: false, error: e.code || e.message, client }));
    s.on('end', () => {
      try { finish({ ok: true, client, ...pick(JSON.parse(buf)) }); }
      catch { finish({ ok: false, error: `bad reply: ${JSON.stringify(buf.slice(0, 200))}`, client }); }
    });
  });
}

function udpOnce(host, port, timeoutMs) {
  return new Promise((resolve) => {
    let done = false;
    const s = dgram.createSocket('udp4');
    const finish = (r) => { if (!done) { done = true; clearTimeout(t); try { s.close(); } catch { /* closed */ } resolve(r); } };
    const t = setTimeout(() => finish({ ok: false, error: 'timeout' }), timeoutMs);
    let client;
    s.on('error', (e) => finish({ ok: false, error: e.code || e.message, client }));
    s.on('message', (m) => {
      try { finish({ ok: true, client, ...pick(JSON.parse(String(m))) }); }
      catch { finish({ ok: false, error: 'bad reply', client }); }
    });
    s.connect(port, host, (err) => {
      if (err) return finish({ ok: false, error: err.code || err.message });
      const a = s.address();
      client = `${a.address}:${a.port}`;
      s.send('probe', (e) => { if (e) finish({ ok: false, error: e.code || e.message, client }); });
    });
  });
}

function pick(r) {
  return { pod: r.pod, local: r.local, remote: r.remote };
}

async function handle(req) {
  if (req.op !== 'connect') return { id: req.id, error: `unknown op ${req.op}` };
  const count = Math.max(1, Math.min(Number(req.count) || 1, 200));
  const timeoutMs = Math.max(50, Math.min(Number(req.timeoutMs) || 1500, 10000));
  const port = Number(req.port);
  if (!net.isIPv4(String(req.host)) || !(port > 0 && port < 65536)) return { id: req.id, error: 'bad host/port' };
  const once = req.proto === 'udp' ? udpOnce : tcpOnce;
  const results = [];
  for (let i = 0; i < count; i++) results.push(await once(req.host, port, timeoutMs));
  return { id: req.id, results };
}

(async () => {
  try {
    await startServers();
  } catch (e) {
    out({ fatal: `${name}: cannot listen: ${e.code || e.message}` });
    stop(2);
  }
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    let req;
    try { req = JSON.parse(line); } catch { return; }
    handle(req).then(out, (e) => out({ id: req.id, error: String(e && e.message) }));
  });
  rl.on('close', () => stop(0)); // the lab process is gone (or closed our stdin): leave
  out({ ready: true, name, pid: process.pid });
})();
