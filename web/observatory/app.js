// The observatory page: signs in with a token kept in sessionStorage (this tab only), loads
// GET /v1/observatory/summary and GET /v1/heatmap, then follows GET /v1/events live. The
// event stream needs the bearer header, which EventSource cannot send, so it is read with
// fetch() and parsed here; a dropped stream resumes with Last-Event-ID.
(() => {
  'use strict';

  const TOKEN_KEY = 'leanctx.observatory.token';
  const MINUTES = 30;
  const FEED_MAX = 50;
  const COLORS = ['#2563eb', '#f97316', '#16a34a', '#9333ea', '#dc2626', '#0891b2', '#ca8a04', '#64748b'];
  const TOP_SERIES = 7;

  const params = new URLSearchParams(location.search);
  const workspaceId = params.get('workspace') ?? undefined;
  const channelId = params.get('channel') ?? 'main';
  /** How often the summary is re-read (errors, budgets, gateway state do not come as events). */
  const REFRESH_MS = Math.max(1, Number(params.get('refresh')) || 10) * 1000;

  const $ = (id) => document.getElementById(id);
  const fmt = (n) => Math.round(n).toLocaleString('en-US');

  let token = sessionStorage.getItem(TOKEN_KEY);
  let summary;
  let streamAbort;
  let lastEventId = 0;
  /** The watched channel's event id the current summary already counts. */
  let countedThrough = 0;
  /** False once /v1/heatmap answered 404: this server has none, so it is not asked again. */
  let heatmapServed = true;
  let refreshTimer;
  let renderQueued = false;
  const charts = new Map();
  const feedIds = new Set();

  class HttpError extends Error {
    constructor(status, message, code) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(path) {
    const headers = { authorization: `Bearer ${token}` };
    if (workspaceId) headers['x-leanctx-workspace'] = workspaceId;
    const res = await fetch(path, { headers, cache: 'no-store' });
    if (!res.ok) {
      let message = `${res.status} ${res.statusText}`;
      let code;
      try {
        const body = await res.json();
        if (typeof body.error === 'string') message = body.error;
        code = body.error_code;
      } catch {
        // not a JSON envelope: keep the status line
      }
      throw new HttpError(res.status, message, code);
    }
    return res.json();
  }

  // ---- sign-in -------------------------------------------------------------------------

  function showSignIn(message) {
    stopStream();
    clearInterval(refreshTimer);
    $('dashboard').hidden = true;
    $('live').hidden = true;
    $('sign-out').hidden = true;
    $('sign-in').hidden = false;
    const err = $('sign-in-error');
    err.textContent = message ?? '';
    err.hidden = !message;
  }

  async function signIn(candidate) {
    token = candidate;
    heatmapServed = true;
    try {
      summary = await api(`/v1/observatory/summary?minutes=${MINUTES}`);
    } catch (err) {
      token = null;
      sessionStorage.removeItem(TOKEN_KEY);
      showSignIn(err instanceof Error ? err.message : String(err));
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, candidate);
    $('sign-in').hidden = true;
    $('dashboard').hidden = false;
    $('live').hidden = false;
    $('sign-out').hidden = false;
    render();
    void loadHeatmap();
    const channel = summary.channels.find(
      (c) => c.channelId === channelId && (!workspaceId || c.workspaceId === workspaceId),
    );
    lastEventId = channel ? channel.revision : 0;
    countedThrough = lastEventId;
    startStream();
    refreshTimer = setInterval(() => void refresh(), REFRESH_MS);
  }

  function watchedRevision(s) {
    const channel = s.channels.find((c) => c.channelId === channelId && (!workspaceId || c.workspaceId === workspaceId));
    return channel ? channel.revision : 0;
  }

  async function refresh() {
    try {
      const next = await api(`/v1/observatory/summary?minutes=${MINUTES}`);
      summary = next;
      countedThrough = watchedRevision(next);
      render();
      void loadHeatmap();
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) showSignIn(err.message);
    }
  }

  // ---- live events ---------------------------------------------------------------------

  function setLive(state, text) {
    const el = $('live');
    el.className = `live ${state}`;
    el.textContent = text;
  }

  function stopStream() {
    if (streamAbort) streamAbort.abort();
    streamAbort = undefined;
  }

  /** Reads one SSE stream until it ends; calls onEvent per complete event. */
  async function readSse(body, onEvent) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const ev = { id: undefined, event: 'message', data: [] };
        for (const line of block.split('\n')) {
          if (line === '' || line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id') ev.id = value;
          else if (field === 'event') ev.event = value;
          else if (field === 'data') ev.data.push(value);
        }
        if (ev.data.length > 0) onEvent(ev);
        end = buffer.indexOf('\n\n');
      }
    }
  }

  function startStream() {
    stopStream();
    const controller = new AbortController();
    streamAbort = controller;
    let delay = 500;
    const loop = async () => {
      while (!controller.signal.aborted) {
        setLive('off', lastEventId > 0 ? 'reconnecting…' : 'connecting…');
        try {
          const headers = { authorization: `Bearer ${token}`, accept: 'text/event-stream' };
          if (workspaceId) headers['x-leanctx-workspace'] = workspaceId;
          if (lastEventId > 0) headers['last-event-id'] = String(lastEventId);
          const res = await fetch(`/v1/events?channelId=${encodeURIComponent(channelId)}`, {
            headers,
            cache: 'no-store',
            signal: controller.signal,
          });
          if (res.status === 401) {
            const body = await res.json().catch(() => ({}));
            showSignIn(body.error ?? 'the token is no longer valid');
            return;
          }
          if (res.status === 403 || res.status === 400) {
            // a token without the events scope: the page still works, without live updates
            const body = await res.json().catch(() => ({}));
            setLive('off', `not live: ${body.error ?? res.status}`);
            return;
          }
          if (!res.ok || !res.body) throw new Error(`event stream answered ${res.status}`);
          setLive('on', 'live');
          delay = 500;
          await readSse(res.body, onSseEvent);
        } catch {
          if (controller.signal.aborted) return;
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 8000);
      }
    };
    void loop();
  }

  function onSseEvent(ev) {
    const id = Number(ev.id);
    if (Number.isFinite(id) && id > 0) {
      if (id <= lastEventId && ev.event !== 'replay_truncated') return;
      lastEventId = Math.max(lastEventId, id);
    }
    let data;
    try {
      data = JSON.parse(ev.data.join('\n'));
    } catch {
      return;
    }
    if (ev.event === 'tool_call_recorded') onCall(data);
    else if (ev.event === 'budget_alert') {
      showBudgetAlert(data.payload ?? {});
      void refresh();
    } else if (ev.event === 'replay_truncated') void refresh();
  }

  /** A call seen live: into the feed and the current minute until the next summary refresh. */
  function onCall(e) {
    if (feedIds.has(e.id)) return;
    feedIds.add(e.id);
    const p = e.payload ?? {};
    addFeedRow(e, p);
    // a call the summary already counts is not added twice
    if (!summary || e.id <= countedThrough) return;
    const minute = (e.ts ?? new Date().toISOString()).slice(0, 16);
    const sent = Number(p.tokensSent) || 0;
    const raw = Number(p.tokensRaw) || 0;
    const saved = Math.max(0, raw - sent);
    const row = summary.activity.find((a) => a.minute === minute && a.tool === p.tool && a.agentId === e.actor);
    if (row) {
      row.calls += 1;
      row.errors += p.isError ? 1 : 0;
      row.tokensSent += sent;
      row.tokensSaved += saved;
    } else {
      summary.activity.push({
        minute,
        tool: String(p.tool ?? 'unknown'),
        agentId: String(e.actor ?? 'unknown'),
        calls: 1,
        errors: p.isError ? 1 : 0,
        tokensSent: sent,
        tokensSaved: saved,
      });
    }
    const t = summary.totals;
    t.calls += 1;
    t.errors += p.isError ? 1 : 0;
    t.tokensSent += sent;
    t.tokensSaved += saved;
    t.savedPct = t.tokensSent + t.tokensSaved === 0 ? 0 : Math.round((t.tokensSaved / (t.tokensSent + t.tokensSaved)) * 1000) / 10;
    queueRender();
  }

  function addFeedRow(e, p) {
    const li = document.createElement('li');
    li.dataset.eventId = String(e.id);
    const time = document.createElement('span');
    time.className = 't';
    time.textContent = (e.ts ?? '').slice(11, 19);
    const what = document.createElement('span');
    what.textContent = `${p.tool ?? e.kind} by ${e.actor ?? '?'}${p.path ? ` · ${p.path}` : ''}`;
    if (p.isError) what.className = 'err';
    li.append(time, what);
    const feed = $('feed');
    feed.prepend(li);
    while (feed.children.length > FEED_MAX) feed.lastElementChild.remove();
    toggleEmpty('feed', true);
  }

  function showBudgetAlert(p) {
    const el = $('budget-alert');
    const pct = typeof p.fraction === 'number' ? ` (${Math.round(p.fraction * 100)}%)` : '';
    const level = p.level === 'exhausted' ? 'used up' : 'past its alert threshold';
    el.textContent = `Budget alert: ${p.budget ?? 'a budget'} of token "${p.token ?? '?'}" is ${level}${pct}.`;
    el.className = `alert ${p.level === 'exhausted' ? 'exhausted' : ''}`;
    el.hidden = false;
  }

  // ---- rendering -----------------------------------------------------------------------

  function queueRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      render();
    });
  }

  function toggleEmpty(id, hasData) {
    const el = $(id);
    const empty = document.querySelector(`[data-empty-for="${id}"]`);
    if (el) el.hidden = !hasData;
    if (empty) empty.hidden = hasData;
  }

  function fillTable(id, rows, cells) {
    const body = $(id).tBodies[0];
    body.replaceChildren(
      ...rows.map((r) => {
        const tr = document.createElement('tr');
        for (const c of cells(r, tr)) {
          const td = document.createElement('td');
          if (c instanceof Node) td.append(c);
          else if (typeof c === 'number') {
            td.className = 'num';
            td.textContent = fmt(c);
          } else td.textContent = String(c ?? '');
          tr.append(td);
        }
        return tr;
      }),
    );
    toggleEmpty(id, rows.length > 0);
  }

  function meter(fraction, level) {
    const outer = document.createElement('div');
    outer.className = 'meter';
    outer.title = `${Math.round(fraction * 100)}%`;
    const inner = document.createElement('span');
    inner.className = level === 'ok' ? '' : level;
    inner.style.width = `${Math.min(100, Math.round(fraction * 100))}%`;
    outer.append(inner);
    const wrap = document.createElement('div');
    const label = document.createElement('small');
    label.textContent = `${Math.round(fraction * 100)}%`;
    wrap.append(outer, label);
    return wrap;
  }

  function render() {
    if (!summary) return;
    const t = summary.totals;
    $('kpi-calls').textContent = fmt(t.calls);
    $('kpi-sent').textContent = fmt(t.tokensSent);
    $('kpi-raw').textContent = fmt(t.tokensSent + t.tokensSaved);
    $('kpi-saved').textContent = `${t.savedPct}%`;
    $('kpi-errors').textContent = fmt(t.errors + summary.errors.reduce((n, e) => n + e.recent, 0));
    $('window-minutes').textContent = String(summary.minutes);

    renderCharts();

    const b = summary.budget;
    $('budget-meta').textContent = `per ${b.period}, resets ${b.resetsAt.slice(0, 16).replace('T', ' ')} UTC; alert at ${Math.round(b.alertThreshold * 100)}% (${b.source})`;
    const budgetRows = b.rows.flatMap((r) =>
      r.uses.length > 0 ? r.uses.map((u) => ({ r, u })) : [{ r, u: undefined }],
    );
    fillTable('budget-table', budgetRows, ({ r, u }, tr) => {
      if (r.level !== 'ok') tr.className = `${r.level}-row`;
      tr.dataset.level = r.level;
      if (!u) return [r.tokenId, r.role ?? '', 'no limit', `${fmt(r.tokens)} tokens`];
      const what = u.budget === 'max_cost_usd' ? `$${u.used.toFixed(2)} of $${u.limit}` : `${fmt(u.used)} of ${fmt(u.limit)} tokens`;
      const level = u.fraction >= 1 ? 'exhausted' : u.fraction >= b.alertThreshold ? 'alert' : 'ok';
      return [r.tokenId, r.role ?? '', what, meter(u.fraction, level)];
    });
    const alerting = b.rows.find((r) => r.level !== 'ok');
    if (alerting && $('budget-alert').hidden) {
      const u = alerting.uses.reduce((a, x) => (x.fraction > a.fraction ? x : a));
      showBudgetAlert({ token: alerting.tokenId, budget: u.budget, fraction: u.fraction, level: alerting.level });
    }

    fillTable('errors-table', summary.errors, (e, tr) => {
      tr.dataset.code = e.code;
      return [e.code, e.recent, e.total];
    });
    fillTable('channels-table', summary.channels, (c) => [
      summary.workspaces.length > 1 ? `${c.workspaceId}/${c.channelId}` : c.channelId,
      c.revision,
      c.agents.join(', ') || '—',
    ]);
    fillTable('agents-table', summary.agents, (a) => [a.agentId, a.calls, `${a.lastMinute.slice(11)} UTC`]);
    fillTable('gateway-table', summary.gateway.servers, (s) => {
      const state = document.createElement('span');
      state.className = `state-${s.health}`;
      state.textContent = `${s.health}${s.running ? '' : ' (stopped)'}`;
      if (s.lastError) state.title = s.lastError;
      return [s.name, s.type, state, s.toolCount ?? '—'];
    });
  }

  /** Minute slots of the window as unix seconds, oldest first. */
  function slots() {
    const end = Math.floor(Date.now() / 60_000) * 60;
    const out = [];
    for (let i = summary.minutes - 1; i >= 0; i--) out.push(end - i * 60);
    return out;
  }

  const minuteKey = (sec) => new Date(sec * 1000).toISOString().slice(0, 16);

  /** Calls per minute, one series per top key (tool or agent), the rest as "other". */
  function seriesBy(pick) {
    const xs = slots();
    const index = new Map(xs.map((x, i) => [minuteKey(x), i]));
    const totals = new Map();
    for (const a of summary.activity) totals.set(pick(a), (totals.get(pick(a)) ?? 0) + a.calls);
    const names = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a));
    const top = names.slice(0, TOP_SERIES);
    const rest = names.length > TOP_SERIES;
    const labels = rest ? [...top, 'other'] : top;
    const ys = labels.map(() => xs.map(() => 0));
    for (const a of summary.activity) {
      const i = index.get(a.minute);
      if (i === undefined) continue;
      let s = top.indexOf(pick(a));
      if (s < 0) s = labels.length - 1;
      ys[s][i] += a.calls;
    }
    return { data: [xs, ...ys], labels };
  }

  function tokenSeries() {
    const xs = slots();
    const index = new Map(xs.map((x, i) => [minuteKey(x), i]));
    const sent = xs.map(() => 0);
    const raw = xs.map(() => 0);
    for (const a of summary.activity) {
      const i = index.get(a.minute);
      if (i === undefined) continue;
      sent[i] += a.tokensSent;
      raw[i] += a.tokensSent + a.tokensSaved;
    }
    return { data: [xs, raw, sent], labels: ['raw size read', 'tokens sent'] };
  }

  function chartWidth(el) {
    return Math.max(240, el.parentElement.clientWidth - 28);
  }

  function drawChart(id, { data, labels }, unit) {
    const el = $(id);
    const hasData = summary.activity.length > 0 && labels.length > 0;
    toggleEmpty(id, hasData);
    const existing = charts.get(id);
    const shape = labels.join('\u0000');
    if (!hasData) {
      if (existing) existing.chart.destroy();
      charts.delete(id);
      return;
    }
    if (existing && existing.shape === shape) {
      existing.chart.setData(data);
      return;
    }
    if (existing) existing.chart.destroy();
    const opts = {
      width: chartWidth(el),
      height: window.innerWidth < 600 ? 180 : 220,
      series: [
        {},
        ...labels.map((label, i) => ({
          label,
          stroke: COLORS[i % COLORS.length],
          width: 2,
          fill: unit === 'tokens' && i === 0 ? '#2563eb18' : undefined,
          value: (_u, v) => (v == null ? '—' : fmt(v)),
        })),
      ],
      axes: [{}, { size: 56, values: (_u, vals) => vals.map((v) => (v >= 1000 ? `${Math.round(v / 100) / 10}k` : v)) }],
      scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      legend: { live: false },
    };
    const chart = new uPlot(opts, data, el);
    charts.set(id, { chart, shape });
    if (!document.body.dataset.firstChart) {
      document.body.dataset.firstChart = String(Math.round(performance.now()));
      performance.mark('observatory-first-chart');
    }
  }

  function renderCharts() {
    drawChart('chart-tools', seriesBy((a) => a.tool), 'calls');
    drawChart('chart-agents', seriesBy((a) => a.agentId), 'calls');
    drawChart('chart-tokens', tokenSeries(), 'tokens');
  }

  let resizeTimer;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      for (const [id, c] of charts) c.chart.setSize({ width: chartWidth($(id)), height: window.innerWidth < 600 ? 180 : 220 });
    }, 100);
  });

  // ---- heatmap (GET /v1/heatmap; an empty state while the server has none) -------------

  async function loadHeatmap() {
    let heat = { files: [], dirs: [] };
    if (!heatmapServed) return;
    try {
      heat = await api('/v1/heatmap?limit=15&period=week');
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) return showSignIn(err.message);
      if (err instanceof HttpError && err.status === 404) heatmapServed = false;
      // 404 (no heatmap on this server) or any other failure: the empty state says enough
    }
    const files = Array.isArray(heat.files) ? heat.files : [];
    const dirs = Array.isArray(heat.dirs) ? heat.dirs : [];
    const heatRows = (rows) => {
      const max = Math.max(1, ...rows.map((r) => r.reads));
      return (r) => {
        const bar = document.createElement('span');
        bar.className = 'heat';
        bar.style.width = `${Math.max(4, Math.round((r.reads / max) * 60))}px`;
        const cell = document.createElement('span');
        cell.append(bar, document.createTextNode(fmt(r.reads)));
        const raw = Number(r.tokensRaw) || 0;
        const saved = raw > 0 ? `${Math.round((1 - (Number(r.tokensSent) || 0) / raw) * 100)}%` : '—';
        return [r.path, cell, saved];
      };
    };
    fillTable('heat-files', files, heatRows(files));
    fillTable('heat-dirs', dirs, heatRows(dirs));
  }

  // ---- wiring --------------------------------------------------------------------------

  $('sign-in-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const value = $('token').value.trim();
    $('token').value = '';
    if (value) void signIn(value);
  });
  $('sign-out').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    token = null;
    summary = undefined;
    showSignIn();
  });

  if (token) void signIn(token);
  else showSignIn();
})();
