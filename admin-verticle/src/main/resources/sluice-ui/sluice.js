// Sluice admin page: plain browser JavaScript, no build step, no library. It reads the admin
// API once (and on reconnects), then follows the event bus over the SockJS bridge's raw
// WebSocket, speaking its JSON frames itself: register, send (with a reply address), ping.
'use strict';

(function () {
  const BUS_PATH = '/eventbus/websocket';
  const ADDRESSES = {
    circuit: 'sluice.circuit.events',
    targets: 'sluice.targets.events',
    stats: 'sluice.stats',
    reload: 'sluice.routes.reload',
  };
  const COMMAND = 'sluice.admin.command';
  /** The bridge closes a socket that has not pinged for 10 s. */
  const PING_MS = 5000;
  /** A node whose stats are older than this no longer counts in the sums. */
  const STATS_FRESH_MS = 3000;
  const ANSWER_MS = 10000;
  const MAX_EVENTS = 200;
  const SEVERITY = { OPEN: 3, HALF_OPEN: 2, CLOSED: 1, UNKNOWN: 0 };

  const view = {
    routes: [],      // GET /__routes: name, prefix, upstream, rateLimit, circuit
    circuits: {},    // route -> GET /__circuit's route entry (state, scope, version, reason, views)
    nodes: [],       // GET /__circuit's nodes
    stats: {},       // node -> { at, intervalMs, routes: { route -> stats } }
    limits: {},      // route -> GET /__limits entry
    upstreams: {},   // route -> GET /__upstreams entry (each target and its state)
  };
  let token = null;  // page memory only: never stored, never in a URL
  let socket = null;
  let pingTimer = null;
  let retryMs = 500;
  let circuitRefresh = null;
  const pending = {}; // reply address -> { resolve, reject, timer }
  const decoder = new TextDecoder();
  const $ = (id) => document.getElementById(id);

  // ---- admin API (initial state, and after anything that may have been missed) ----

  async function getJson(path) {
    const response = await fetch(path, { cache: 'no-store' });
    if (!response.ok) {
      throw new Error(path + ': HTTP ' + response.status);
    }
    return response.json();
  }

  async function loadRoutes() {
    const body = await getJson('/__routes');
    view.routes = body.routes || [];
    render();
  }

  async function loadCircuits() {
    const body = await getJson('/__circuit');
    view.circuits = {};
    (body.routes || []).forEach((r) => { view.circuits[r.route] = r; });
    view.nodes = body.nodes || [];
    render();
  }

  async function loadLimits() {
    try {
      const body = await getJson('/__limits');
      view.limits = {};
      (body.routes || []).forEach((r) => { view.limits[r.route] = r; });
      render();
    } catch (e) {
      // Redis down: limits still show from the route table, just without the busiest clients.
    }
  }

  async function loadUpstreams() {
    try {
      const body = await getJson('/__upstreams');
      view.upstreams = {};
      (body.routes || []).forEach((r) => { view.upstreams[r.route] = r; });
      render();
    } catch (e) {
      // shown from the route table instead
    }
  }

  function refreshAll() {
    loadRoutes().then(loadCircuits).catch((e) => notice(String(e.message || e), true));
    loadLimits();
    loadUpstreams();
  }

  /** Events arrive before every instance has followed them; ask again a moment later. */
  function refreshCircuitsSoon() {
    clearTimeout(circuitRefresh);
    circuitRefresh = setTimeout(() => loadCircuits().catch(() => {}), 500);
  }

  // ---- the bridge ----

  function connect() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(proto + '//' + location.host + BUS_PATH);
    socket.binaryType = 'arraybuffer'; // the bridge writes its frames as binary messages
    socket.onopen = () => {
      retryMs = 500;
      setLink('LIVE');
      Object.values(ADDRESSES).forEach((address) => write({ type: 'register', address }));
      pingTimer = setInterval(() => write({ type: 'ping' }), PING_MS);
      refreshAll(); // whatever happened while we were away
    };
    socket.onmessage = (e) => {
      let frame;
      try {
        frame = JSON.parse(typeof e.data === 'string' ? e.data : decoder.decode(e.data));
      } catch (err) {
        return;
      }
      received(frame);
    };
    socket.onclose = () => {
      clearInterval(pingTimer);
      setLink('RECONNECTING');
      Object.keys(pending).forEach((k) => settle(k, null, 'the connection closed before an answer'));
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
    };
  }

  function write(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function received(frame) {
    if (frame.address && pending[frame.address]) {
      if (frame.type === 'err') {
        settle(frame.address, null, describeFailure(frame));
      } else {
        settle(frame.address, frame.body, null);
      }
      return;
    }
    if (frame.type === 'err') {
      return; // the bridge's generic refusal after an addressed one we have shown already
    }
    const body = frame.body || {};
    switch (frame.address) {
      case ADDRESSES.circuit:
        circuitEvent(body);
        break;
      case ADDRESSES.stats:
        view.stats[body.node] = { at: Date.now(), intervalMs: body.intervalMs || 1000, routes: byRoute(body.routes) };
        renderStats();
        break;
      case ADDRESSES.reload:
        loadRoutes().then(loadCircuits).catch(() => {});
        logLine('routes reloaded', 'UNKNOWN', 'version ' + body.version);
        break;
      case ADDRESSES.targets:
        logLine(body.route || '?', body.kind === 'EJECTED' || body.kind === 'UNHEALTHY' ? 'OPEN' : 'CLOSED',
          'target ' + (body.target || '') + ' ' + (body.kind || '') + (body.reason ? ' (' + body.reason + ')' : ''));
        loadUpstreams();
        break;
      default:
        break;
    }
  }

  function byRoute(list) {
    const out = {};
    (list || []).forEach((r) => { out[r.route] = r; });
    return out;
  }

  function circuitEvent(event) {
    const current = view.circuits[event.route];
    if (event.scope !== 'NODE' && (!current || event.version >= current.version)) {
      view.circuits[event.route] = Object.assign({}, current || { views: [] },
        { state: event.state, scope: event.scope, version: event.version, reason: event.reason });
      // Every instance of every node follows a CLUSTER event; show it now, confirm with the refresh.
      (view.circuits[event.route].views || []).forEach((v) => { v.state = event.state; v.scope = event.scope; });
    } else if (current) {
      (current.views || []).filter((v) => v.node === event.node).forEach((v) => {
        v.state = event.state;
        v.scope = event.scope;
      });
    }
    logLine(event.route, event.state, event.scope + ' v' + event.version + ' · ' + (event.reason || '')
      + ' · node ' + short(event.node));
    render();
    refreshCircuitsSoon();
  }

  // ---- commands (token in the message headers, never in a URL) ----

  function replyAddress() {
    const bytes = new Uint8Array(16); // 32 hex characters: the bridge takes reply addresses up to 36
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function command(action, route) {
    return new Promise((resolve, reject) => {
      if (!token) {
        reject(new Error('set the admin token first'));
        return;
      }
      const address = replyAddress();
      pending[address] = { resolve, reject, timer: setTimeout(() => settle(address, null, 'no answer within 10 s'), ANSWER_MS) };
      const sent = write({
        type: 'send', address: COMMAND, replyAddress: address,
        headers: { Authorization: 'Bearer ' + token }, body: { action, route },
      });
      if (!sent) {
        settle(address, null, 'not connected to the event bus');
      }
    });
  }

  function settle(address, body, failure) {
    const waiting = pending[address];
    if (!waiting) {
      return;
    }
    delete pending[address];
    clearTimeout(waiting.timer);
    if (failure) {
      waiting.reject(failure instanceof Error ? failure : new Error(failure));
    } else {
      waiting.resolve(body);
    }
  }

  function describeFailure(frame) {
    try {
      const error = JSON.parse(frame.message);
      const e = new Error(error.code + ': ' + error.message);
      e.code = error.code;
      return e;
    } catch (err) {
      return new Error(String(frame.message || frame.body || 'refused'));
    }
  }

  async function order(action, route) {
    if (action === 'open' && !window.confirm('Open the circuit of "' + route + '" on every node? '
      + 'Its requests will be answered 503 until a probe succeeds or someone resets it.')) {
      return;
    }
    try {
      const result = await command(action, route);
      notice(route + ': ' + result.state + ' (version ' + result.version + ')', false);
    } catch (e) {
      if (e.code === 'UNAUTHORIZED' || e.code === 'FORBIDDEN') {
        setToken(null);
      }
      notice(route + ': ' + e.message, true);
    }
  }

  function setToken(value) {
    token = value && value.trim() ? value.trim() : null;
    $('token-input').value = '';
    const mode = $('mode');
    mode.dataset.state = token ? 'WRITABLE' : 'READONLY';
    mode.textContent = token ? 'TOKEN SET' : 'READ-ONLY';
    render();
  }

  // ---- rendering: rows are built once per route and updated in place ----

  function render() {
    const body = $('route-rows');
    const names = view.routes.map((r) => r.name);
    if (body.dataset.names !== names.join('\n')) {
      body.replaceChildren(...view.routes.map(buildRow));
      body.dataset.names = names.join('\n');
      if (!names.length) {
        const row = el('tr', 'placeholder');
        const cell = el('td', null, 'no routes');
        cell.colSpan = 12;
        row.append(cell);
        body.append(row);
      }
    }
    view.routes.forEach(updateRow);
    renderStats();
    $('nodes').textContent = 'nodes: ' + (view.nodes.length || '–')
      + (view.nodes.some((n) => n.unreachable) ? ' (some unreachable)' : '');
  }

  function buildRow(route) {
    const row = el('tr');
    row.dataset.route = route.name;
    ['name', 'prefix', 'upstream', 'circuit', 'nodes', 'req num', 'r429 num', 'r5xx num', 'lat num', 'hit num', 'limit', 'actions']
      .forEach((cls) => row.append(el('td', cls)));
    const reset = el('button', 'good', 'Reset');
    reset.dataset.action = 'reset';
    reset.addEventListener('click', () => order('reset', route.name));
    const open = el('button', 'danger', 'Open');
    open.dataset.action = 'open';
    open.addEventListener('click', () => order('open', route.name));
    row.querySelector('.actions').append(reset, open);
    return row;
  }

  function updateRow(route) {
    const row = rowOf(route.name);
    if (!row) {
      return;
    }
    const circuit = view.circuits[route.name] || { state: 'UNKNOWN', scope: '', version: 0, views: [] };
    setText(row.querySelector('.name'), route.name);
    setText(row.querySelector('.prefix'), route.prefix);
    row.querySelector('.upstream').replaceChildren(...targetsOf(route));
    row.querySelector('.upstream').title = upstreamText(route.upstream);
    row.className = circuit.state.toLowerCase();

    const cell = row.querySelector('.circuit');
    cell.replaceChildren(stateBadge(circuit.state), el('span', 'sub', [circuit.scope || '–', 'v' + circuit.version,
      circuit.reason].filter(Boolean).join(' · ')));
    cell.title = circuit.reason || '';

    row.querySelector('.nodes').replaceChildren(...perNode(circuit));

    const limit = route.rateLimit || {};
    const top = ((view.limits[route.name] || {}).topClients || [])[0];
    row.querySelector('.limit').replaceChildren(
      el('span', null, (limit.limit ?? '–') + ' / ' + seconds(limit.windowMs)),
      el('span', 'sub', top ? 'top ' + top.client + ': ' + top.count : '\u00a0'));

    row.querySelectorAll('.actions button').forEach((b) => {
      b.disabled = !token;
      b.title = token ? b.dataset.action + ' ' + route.name + ' on every node'
        : 'read-only: enter the admin token above to enable';
    });
  }

  /** One line per node: the worst state among its instances, so one stuck instance shows. */
  function perNode(circuit) {
    const nodes = {};
    (circuit.views || []).forEach((v) => {
      const worst = nodes[v.node];
      if (!worst || SEVERITY[v.state] > SEVERITY[worst.state]) {
        nodes[v.node] = { state: v.state, scope: v.scope };
      }
    });
    view.nodes.filter((n) => n.unreachable && !nodes[n.node]).forEach((n) => {
      nodes[n.node] = { state: 'UNKNOWN', scope: 'unreachable' };
    });
    return Object.keys(nodes).sort().map((node) => {
      const line = el('div', 'node');
      // Scope said only when it is not the usual: a node that opened on its own, or one that did not answer.
      const scope = nodes[node].scope === 'CLUSTER' ? '' : ' · ' + String(nodes[node].scope || '').toLowerCase();
      line.append(stateBadge(nodes[node].state), el('span', 'name', short(node) + scope));
      line.title = node + ' (' + (nodes[node].scope || '') + ')';
      return line;
    });
  }

  function renderStats() {
    const now = Date.now();
    const fresh = Object.values(view.stats).filter((s) => now - s.at <= STATS_FRESH_MS);
    view.routes.forEach((route) => {
      const row = rowOf(route.name);
      if (!row) {
        return;
      }
      let req = 0; let r429 = 0; let r5xx = 0; let p50 = null; let p99 = null; let seen = false;
      let hits = 0; let lookups = 0;
      fresh.forEach((s) => {
        const r = s.routes[route.name];
        if (!r) {
          return;
        }
        seen = true;
        const perSecond = 1000 / s.intervalMs;
        req += r.requests * perSecond;
        r429 += r.rateLimited * perSecond;
        r5xx += r.serverErrors * perSecond;
        hits += r.cacheHits || 0;
        lookups += r.cacheLookups || 0;
        // The slowest node's: a sum of percentiles means nothing, the worst one is what hurts.
        if (r.p50Ms != null) { p50 = Math.max(p50 ?? 0, r.p50Ms); }
        if (r.p99Ms != null) { p99 = Math.max(p99 ?? 0, r.p99Ms); }
      });
      setText(row.querySelector('.req'), seen ? rate(req) : '–');
      setText(row.querySelector('.r429'), seen ? rate(r429) : '–');
      setText(row.querySelector('.r5xx'), seen ? rate(r5xx) : '–');
      row.querySelector('.r429').classList.toggle('bad', r429 > 0);
      row.querySelector('.r5xx').classList.toggle('bad', r5xx > 0);
      // The cluster's hit ratio over the last interval: hits over every request the route's cache saw.
      setText(row.querySelector('.hit'), lookups > 0 ? Math.round(100 * hits / lookups) + '%' : '–');
      setText(row.querySelector('.lat'), (p50 == null ? '–' : ms(p50)) + ' / ' + (p99 == null ? '–' : ms(p99)));
    });
  }

  function logLine(route, state, text) {
    const item = el('li');
    item.append(el('span', 'muted', new Date().toLocaleTimeString()), stateBadge(state), el('b', null, route + ' '),
      el('span', 'muted', text));
    const list = $('events');
    list.prepend(item);
    while (list.children.length > MAX_EVENTS) {
      list.lastChild.remove();
    }
  }

  function setLink(state) {
    const link = $('link');
    link.dataset.state = state;
    link.textContent = state;
  }

  function notice(text, error) {
    const n = $('notice');
    n.textContent = text;
    n.classList.toggle('error', !!error);
  }

  // ---- small helpers ----

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text != null) { node.textContent = text; }
    return node;
  }

  /** Each target of the route with its state by colour and word; the configured URLs until known. */
  function targetsOf(route) {
    const known = (view.upstreams[route.name] || {}).targets;
    if (!known || known.length === 0) {
      return [el('span', null, upstreamText(route.upstream))];
    }
    return known.map((t) => {
      const line = el('span', 'target');
      const badge = el('span', 'state', t.state);
      badge.dataset.state = t.state;
      line.append(badge, el('span', null, ' ' + t.target));
      return line;
    });
  }

  /** The config's upstream: one URL, or a list of URLs or {url, weight} items. */
  function upstreamText(upstream) {
    if (Array.isArray(upstream)) {
      return upstream.map((u) => (typeof u === 'string' ? u : u.url + (u.weight ? ' ×' + u.weight : ''))).join(', ');
    }
    return String(upstream ?? '');
  }

  function stateBadge(state) {
    const badge = el('span', 'state', (state || 'UNKNOWN').replace('_', '-'));
    badge.dataset.state = state || 'UNKNOWN';
    return badge;
  }

  function rowOf(name) {
    return Array.from($('route-rows').children).find((r) => r.dataset.route === name);
  }

  function setText(node, text) {
    if (node.textContent !== text) { node.textContent = text; }
  }

  function short(node) { return node ? String(node).slice(0, 8) : '?'; }
  function rate(n) { return n >= 100 ? n.toFixed(0) : n.toFixed(1); }
  function ms(n) { return n >= 100 ? n.toFixed(0) : n.toFixed(1); }
  function seconds(windowMs) { return windowMs == null ? '–' : (windowMs / 1000) + ' s'; }

  // ---- start ----

  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    setToken($('token-input').value);
    notice(token ? 'token kept in this page only; reset/open enabled' : 'read-only', false);
  });
  $('token-forget').addEventListener('click', () => { setToken(null); notice('token forgotten: read-only', false); });
  setInterval(renderStats, 1000);                                // ages out nodes that stopped reporting
  setInterval(() => { loadCircuits().catch(() => {}); loadLimits(); loadUpstreams(); }, 10000); // belt and braces
  setToken(null);
  refreshAll();
  connect();
}());
