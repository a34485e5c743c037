// The operator dashboard's script: sign-in, then GET {api}/dashboard/data every 60 s, drawn with ECharts.
// Vanilla JS, no build step. Everything shown comes from DashboardData (shared/Mall.Application/Analytics/
// DashboardContracts.cs, camelCase JSON); text is set with textContent only, never parsed as HTML.
// Each figure has a data-testid, and each chart's ECharts instance is on its element
// (echarts.getInstanceByDom(document.querySelector('[data-testid=chart-hourly]')).getOption()).
'use strict';

(function () {
  const api = document.body.dataset.api; // the manage API's path, e.g. /api/manage
  const TOKEN_KEY = 'mall.dashboard.token';
  const REFRESH_MS = 60 * 1000;
  const CST_OFFSET_MS = 8 * 60 * 60 * 1000; // China Standard Time, no daylight saving

  const STEP_LABELS = {
    sessionopen: '打开 Session', sessionopens: '打开 Session',
    pageview: '浏览 Page view', pageviews: '浏览 Page view',
    productview: '商品浏览 Product view', productviews: '商品浏览 Product view',
    addtocart: '加购 Add to cart',
    checkoutstart: '结算 Checkout', checkoutstarts: '结算 Checkout',
    paid: '支付 Paid', paidorder: '支付 Paid', paidorders: '支付 Paid',
  };
  const SEGMENT_LABELS = {
    potential: '潜在 Potential', firstorder: '首单 First order', regular: '复购 Regular',
    active: '活跃 Active', dormant: '沉睡 Dormant',
  };
  const SEGMENT_ORDER = ['potential', 'firstorder', 'regular', 'active', 'dormant'];
  const ALERT_LABELS = { raised: '已触发 Raised', escalated: '已升级 Escalated', acknowledged: '已确认 Acknowledged', resolved: '已解决 Resolved' };
  const ALERT_ORDER = { escalated: 0, raised: 1, acknowledged: 2 };

  const charts = {};
  let refreshTimer = null;
  let loading = false;
  let again = false; // a refresh asked for while one was under way runs when it ends
  let loads = 0;

  // ---- small helpers ----------------------------------------------------------------------------

  function byTestId(id) {
    return document.querySelector('[data-testid="' + id + '"]');
  }

  function show(id, visible) {
    byTestId(id).hidden = !visible;
  }

  function setText(id, text) {
    byTestId(id).textContent = text;
  }

  /** An element with attributes ({testid, class, title, data-*}) and children (strings become text). */
  function el(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'testid') element.dataset.testid = value;
      else if (name === 'class') element.className = value;
      else element.setAttribute(name, value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      element.append(child instanceof Node ? child : String(child));
    }
    return element;
  }

  function lower(text) {
    return String(text || '').toLowerCase();
  }

  // ---- formatting -------------------------------------------------------------------------------

  /** Fen (integer) as yuan with 2 decimals and thousands separators: 1234567 → ¥12,345.67. */
  function yuan(fen) {
    const sign = fen < 0 ? '-' : '';
    const abs = Math.abs(fen);
    return sign + '¥' + Math.floor(abs / 100).toLocaleString('en-US') + '.' + String(abs % 100).padStart(2, '0');
  }

  function count(n) {
    return Number(n).toLocaleString('en-US');
  }

  function percent(fraction, digits) {
    return (fraction * 100).toFixed(digits === undefined ? 1 : digits) + '%';
  }

  /** A double as read by a person: integers with separators, others with up to 4 decimals. */
  function number(value) {
    if (value === null || value === undefined) return '—';
    return Number.isInteger(value) ? count(value) : value.toLocaleString('en-US', { maximumFractionDigits: 4 });
  }

  /** Today against yesterday: ▲ 12.5% / ▼ 3.0% / ＝ 0.0%; from zero: ▲ new. */
  function change(today, yesterday) {
    if (yesterday === 0) {
      return today === 0 ? { text: '＝ 0.0%', direction: 'flat' } : { text: '▲ 新增 new', direction: 'up' };
    }
    const pct = (today - yesterday) / yesterday * 100;
    const direction = pct > 0 ? 'up' : pct < 0 ? 'down' : 'flat';
    const arrow = { up: '▲', down: '▼', flat: '＝' }[direction];
    return { text: arrow + ' ' + Math.abs(pct).toFixed(1) + '%', direction: direction };
  }

  function cst(iso) {
    const date = new Date(new Date(iso).getTime() + CST_OFFSET_MS);
    const two = (n) => String(n).padStart(2, '0');
    return {
      day: two(date.getUTCMonth() + 1) + '-' + two(date.getUTCDate()),
      hour: two(date.getUTCHours()) + ':00',
      time: two(date.getUTCHours()) + ':' + two(date.getUTCMinutes()) + ':' + two(date.getUTCSeconds()),
    };
  }

  function dateTime(iso) {
    if (!iso) return '—';
    const at = cst(iso);
    return at.day + ' ' + at.time;
  }

  // ---- the API ----------------------------------------------------------------------------------

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  async function problemText(response) {
    try {
      const problem = await response.json();
      return problem.detail || problem.title || ('HTTP ' + response.status);
    } catch (_) {
      return 'HTTP ' + response.status;
    }
  }

  async function call(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (token()) headers.Authorization = 'Bearer ' + token();
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(api + path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
    if (response.status === 401 && path !== '/auth/login') {
      signOut('登录已过期，请重新登录 Your session has ended: sign in again.');
      throw new Error('signed out');
    }
    if (!response.ok) {
      throw new Error(await problemText(response));
    }
    return response.json();
  }

  function showError(message) {
    setText('error', message || '');
    show('error', Boolean(message));
  }

  // ---- sign-in ----------------------------------------------------------------------------------

  async function signIn(event) {
    event.preventDefault();
    const form = event.target;
    const button = byTestId('sign-in-submit');
    button.disabled = true;
    try {
      const session = await call('POST', '/auth/login', { username: form.username.value, password: form.password.value });
      sessionStorage.setItem(TOKEN_KEY, session.token);
      form.password.value = '';
      showError('');
      startDashboard();
    } catch (error) {
      showError('登录失败 Sign-in failed: ' + error.message);
    } finally {
      button.disabled = false;
    }
  }

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    clearInterval(refreshTimer);
    refreshTimer = null;
    for (const name of Object.keys(charts)) {
      charts[name].dispose();
      delete charts[name];
    }
    show('dashboard', false);
    show('session', false);
    show('sign-in', true);
    showError(message || '');
    document.body.dataset.state = 'signed-out';
    byTestId('username').focus();
  }

  function startDashboard() {
    show('sign-in', false);
    show('dashboard', true);
    show('session', true);
    // Charts are created once their elements are visible, so they take the elements' size.
    for (const name of ['hourly', 'funnel', 'segments']) {
      if (charts[name]) continue;
      const element = byTestId('chart-' + name);
      charts[name] = echarts.init(element);
      // Set once the chart has drawn what it was given (a test waits for it before reading or screenshotting).
      charts[name].on('finished', () => { element.dataset.rendered = 'true'; });
    }
    clearInterval(refreshTimer);
    refreshTimer = setInterval(refresh, REFRESH_MS);
    refresh();
  }

  async function refresh() {
    if (!token()) return;
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    document.body.dataset.state = loads === 0 ? 'loading' : 'refreshing';
    try {
      const data = await call('GET', '/dashboard/data');
      render(data);
      loads += 1;
      document.body.dataset.loads = String(loads);
      document.body.dataset.state = 'ready';
      const updated = byTestId('updated-at');
      updated.textContent = '更新于 Updated ' + cst(new Date().toISOString()).time;
      updated.dataset.generatedAt = data.generatedAt;
      showError('');
    } catch (error) {
      if (token()) {
        document.body.dataset.state = 'error';
        showError('刷新失败 Could not refresh: ' + error.message);
      }
    } finally {
      loading = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  }

  async function acknowledge(alertId, button) {
    button.disabled = true;
    try {
      await call('POST', '/alerts/' + encodeURIComponent(alertId) + '/acknowledge', {});
      await refresh();
    } catch (error) {
      button.disabled = false;
      showError('确认失败 Could not acknowledge: ' + error.message);
    }
  }

  // ---- rendering --------------------------------------------------------------------------------

  function render(data) {
    renderToday(data.today, data.yesterday);
    renderHourly(data.hours || []);
    renderFunnel(data.funnel);
    renderSegments(data.segments);
    renderAlerts(data.alerts || []);
    renderExperiments(data.experiments || []);
    renderRecommendationSlots(data.recommendations || []);
    renderReplenishment(data.replenishment);
  }

  function renderChange(id, today, yesterday) {
    const shown = change(today, yesterday);
    const element = byTestId(id);
    element.textContent = shown.text;
    element.className = 'change ' + shown.direction;
  }

  function renderToday(today, yesterday) {
    setText('today-gmv', yuan(today.gmvFen));
    setText('yesterday-gmv', yuan(yesterday.gmvFen));
    renderChange('today-gmv-change', today.gmvFen, yesterday.gmvFen);
    setText('today-orders', count(today.paidOrders));
    setText('yesterday-orders', count(yesterday.paidOrders));
    renderChange('today-orders-change', today.paidOrders, yesterday.paidOrders);
    setText('today-visitors', count(today.visitors));
    setText('yesterday-visitors', count(yesterday.visitors));
    setText('today-pageviews', count(today.pageViews));
    setText('yesterday-pageviews', count(yesterday.pageViews));
  }

  // Tooltips are drawn on the canvas (renderMode richText): ECharts' HTML tooltips carry inline style
  // attributes, which the page's Content-Security-Policy refuses.
  const tooltip = { trigger: 'axis', renderMode: 'richText' };

  function renderHourly(hours) {
    const sorted = hours.slice().sort((a, b) => new Date(a.hour) - new Date(b.hour));
    const labels = sorted.map((h) => { const at = cst(h.hour); return at.day + ' ' + at.hour; });
    charts.hourly.setOption({
      animation: false,
      tooltip: tooltip,
      legend: { top: 0 },
      grid: { left: 56, right: 72, top: 64, bottom: 32 },
      xAxis: { type: 'category', data: labels },
      yAxis: [
        { type: 'value', name: '次数 Count', minInterval: 1 },
        { type: 'value', name: '成交额 GMV ¥', splitLine: { show: false } },
      ],
      series: [
        { id: 'pageViews', name: '浏览量 Page views', type: 'bar', data: sorted.map((h) => h.pageViews) },
        { id: 'visitors', name: '访客 Visitors', type: 'line', data: sorted.map((h) => h.visitors) },
        { id: 'paidOrders', name: '支付订单 Paid orders', type: 'line', data: sorted.map((h) => h.paidOrders) },
        { id: 'gmv', name: '成交额 GMV (¥)', type: 'line', yAxisIndex: 1, data: sorted.map((h) => h.gmvFen / 100) },
      ],
    }, { notMerge: true });
  }

  function stepLabel(step) {
    return STEP_LABELS[lower(step)] || step;
  }

  function rate(value) {
    return value === null || value === undefined ? '—' : percent(value);
  }

  function renderFunnel(funnel) {
    const steps = (funnel && funnel.steps) || [];
    const scope = funnel && funnel.experimentId ? ' · ' + funnel.experimentId + (funnel.variant ? '/' + funnel.variant : '') : '';
    setText('funnel-period', funnel ? '(' + funnel.period + scope + ')' : '');
    charts.funnel.setOption({
      animation: false,
      tooltip: { trigger: 'item', renderMode: 'richText' },
      series: [{
        id: 'funnel',
        name: '转化漏斗 Funnel',
        type: 'funnel',
        sort: 'none',
        min: 0,
        max: Math.max(1, ...steps.map((s) => s.count)),
        minSize: '4%',
        left: '5%',
        width: '60%',
        label: { show: true, position: 'right', formatter: '{b}  {c}' },
        data: steps.map((s) => ({ name: stepLabel(s.step), value: s.count })),
      }],
    }, { notMerge: true });

    const body = byTestId('funnel-steps');
    body.replaceChildren(...steps.map((s, i) => el('tr', { testid: 'funnel-step', 'data-step': s.step },
      el('td', {}, stepLabel(s.step)),
      el('td', { class: 'num', testid: 'funnel-step-count-' + i }, count(s.count)),
      el('td', { class: 'num', testid: 'funnel-step-rate-' + i }, rate(s.rateFromPrevious)))));
  }

  function segmentLabel(segment) {
    return SEGMENT_LABELS[lower(segment)] || segment;
  }

  /** Completed runs only (a run in progress has counted part of the customers), oldest day first. */
  function completedRuns(report) {
    return ((report && report.runs) || []).filter((run) => run.completedAt).sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  }

  function renderSegments(report) {
    const runs = completedRuns(report);
    const names = [...new Set(runs.flatMap((run) => Object.keys(run.sizes || {})))];
    const rank = (name) => { const i = SEGMENT_ORDER.indexOf(lower(name)); return i < 0 ? SEGMENT_ORDER.length : i; };
    names.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
    charts.segments.setOption({
      animation: false,
      tooltip: tooltip,
      legend: { top: 0 },
      grid: { left: 56, right: 24, top: 64, bottom: 32 },
      xAxis: { type: 'category', data: runs.map((run) => run.day) },
      yAxis: { type: 'value', name: '人数 Customers', minInterval: 1 },
      series: names.map((name) => ({
        id: name,
        name: segmentLabel(name),
        type: 'line',
        data: runs.map((run) => (run.sizes && run.sizes[name]) || 0),
      })),
    }, { notMerge: true });

    const targets = (report && report.targets) || [];
    byTestId('segment-targets').replaceChildren(...targets.map((t) => el('tr', { testid: 'segment-target' },
      el('td', {}, segmentLabel(t.segment)),
      el('td', {}, t.metric),
      el('td', { class: 'num' + (t.rate !== null && t.rate !== undefined && t.rate < t.target ? ' below' : '') }, rate(t.rate)),
      el('td', { class: 'num' }, percent(t.target)),
      el('td', {}, t.basis))));
  }

  function renderAlerts(alerts) {
    const active = alerts
      .filter((a) => lower(a.state) !== 'resolved')
      .sort((a, b) => (ALERT_ORDER[lower(a.state)] ?? 9) - (ALERT_ORDER[lower(b.state)] ?? 9) || new Date(b.raisedAt) - new Date(a.raisedAt));
    const open = active.filter((a) => lower(a.state) === 'raised' || lower(a.state) === 'escalated');
    setText('alert-count', count(active.length));
    setText('alert-open-count', count(open.length));
    byTestId('alert-count').className = 'count' + (open.length > 0 ? ' alarm' : '');
    show('alerts-empty', active.length === 0);
    byTestId('alerts').replaceChildren(...active.map((a) => {
      const state = lower(a.state);
      let handling;
      if (state === 'raised' || state === 'escalated') {
        const button = el('button', { type: 'button', testid: 'alert-acknowledge' }, '确认 Acknowledge');
        button.addEventListener('click', () => acknowledge(a.id, button));
        handling = button;
      } else {
        handling = el('span', { class: 'muted', testid: 'alert-acknowledged-by' },
          (a.acknowledgedBy || '') + ' ' + dateTime(a.acknowledgedAt));
      }
      return el('tr', { testid: 'alert-row', 'data-alert-id': a.id, 'data-state': state },
        el('td', {}, el('span', { class: 'badge ' + state, testid: 'alert-state' }, ALERT_LABELS[state] || a.state)),
        el('td', {}, a.metric),
        el('td', {}, a.description),
        el('td', { class: 'num' }, number(a.value)),
        el('td', { class: 'num' }, number(a.threshold)),
        el('td', {}, dateTime(a.raisedAt), a.escalatedAt ? el('div', { class: 'muted' }, '升级 escalated ' + dateTime(a.escalatedAt)) : null),
        el('td', {}, a.action),
        el('td', {}, handling));
    }));
  }

  function pValue(p) {
    if (p === null || p === undefined) return '—';
    return p < 0.0001 ? '< 0.0001' : p.toFixed(4);
  }

  function lift(value) {
    if (value === null || value === undefined) return '—';
    return (value > 0 ? '+' : '') + percent(value);
  }

  function renderExperiments(experiments) {
    show('experiments-empty', experiments.length === 0);
    byTestId('experiments').replaceChildren(...experiments.map((x) => el('article', { class: 'experiment', testid: 'experiment', 'data-experiment-id': x.experimentId },
      el('h3', {},
        x.name + ' ',
        el('small', {}, x.experimentId + ' · ' + x.metric + ' · ' + x.status),
        x.sampleRatioMismatch
          ? el('span', { class: 'badge warn', testid: 'srm-warning', title: '样本比例不符 Sample ratio mismatch: the variants did not get their weights\' share of units, so the results are not trustworthy.' },
            'SRM 样本比例异常 p ' + (x.sampleRatioPValue < 0.0001 ? '< 0.0001' : '= ' + pValue(x.sampleRatioPValue)))
          : null),
      el('table', {},
        el('thead', {}, el('tr', {},
          el('th', {}, '组 Variant'), el('th', { class: 'num' }, '权重 Weight'), el('th', { class: 'num' }, '曝光 Exposures'),
          el('th', { class: 'num' }, '转化 Conversions'), el('th', { class: 'num' }, '转化率 Rate (95% CI)'),
          el('th', { class: 'num' }, '提升 Lift'), el('th', { class: 'num' }, 'p 值 p-value'))),
        el('tbody', {}, ...x.variants.map((v) => el('tr', { testid: 'variant', 'data-variant': v.variant },
          el('td', {}, v.variant, v.isControl ? el('span', { class: 'badge' }, '对照 control') : null),
          el('td', { class: 'num' }, count(v.weight)),
          el('td', { class: 'num', testid: 'variant-exposures' }, count(v.exposures)),
          el('td', { class: 'num', testid: 'variant-conversions' }, count(v.conversions)),
          el('td', { class: 'num', testid: 'variant-rate' }, percent(v.rate, 2) + ' [' + percent(v.rateLow, 2) + ' – ' + percent(v.rateHigh, 2) + ']'),
          el('td', { class: 'num', testid: 'variant-lift' }, lift(v.lift)),
          el('td', { class: 'num' + (v.pValue !== null && v.pValue !== undefined && v.pValue < 0.05 ? ' significant' : ''), testid: 'variant-p-value' }, pValue(v.pValue)))))))));
  }

  function renderRecommendationSlots(slots) {
    show('recommendation-slots-empty', slots.length === 0);
    byTestId('recommendation-slots').replaceChildren(...slots.map((s) => el('tr', { testid: 'recommendation-slot', 'data-slot': s.slot, 'data-algorithm': s.algorithm },
      el('td', {}, s.slot),
      el('td', {}, s.algorithm),
      el('td', { class: 'num' }, count(s.impressions)),
      el('td', { class: 'num' }, count(s.clicks)),
      el('td', { class: 'num', testid: 'slot-ctr' }, s.clickThroughRate === null ? '—' : percent(s.clickThroughRate, 2)),
      el('td', { class: 'num' }, count(s.addsToCart)),
      el('td', { class: 'num', testid: 'slot-conversion' }, s.conversion === null ? '—' : percent(s.conversion, 2)))));
  }

  function renderReplenishment(panel) {
    const lines = (panel && panel.lines) || [];
    const turnover = panel ? panel.turnoverPerMonth : null;
    setText('turnover', turnover === null || turnover === undefined ? '—' : turnover.toFixed(1));
    setText('turnover-goal', panel ? number(panel.turnoverGoal) : '—');
    show('turnover-below-goal', Boolean(panel) && turnover !== null && turnover !== undefined && turnover < panel.turnoverGoal);
    setText('replenishment-day', panel && panel.day
      ? '计算于 Computed ' + dateTime(panel.computedAt) + '（' + panel.day + '）'
      : '尚未计算 No replenishment run yet');
    byTestId('replenishment').replaceChildren(...lines.map((line) => el('tr', { testid: 'replenishment-row', 'data-sku-id': line.skuId },
      el('td', {}, line.skuId),
      el('td', {}, line.productName),
      el('td', { class: 'num' }, count(line.onHand)),
      el('td', { class: 'num' }, line.dailyDemand.toFixed(1)),
      el('td', { class: 'num' }, count(line.reorderPoint)),
      el('td', { class: 'num strong', testid: 'replenishment-suggested' }, count(line.suggestedQuantity)),
      el('td', { class: 'num' }, line.daysOfCover === null || line.daysOfCover === undefined ? '—' : line.daysOfCover.toFixed(1)))));
  }

  // ---- start ------------------------------------------------------------------------------------

  byTestId('sign-in-form').addEventListener('submit', signIn);
  byTestId('refresh').addEventListener('click', () => refresh());
  byTestId('sign-out').addEventListener('click', () => signOut());
  window.addEventListener('resize', () => Object.values(charts).forEach((chart) => chart.resize()));
  window.dashboard = { charts: charts, refresh: refresh };

  if (token()) {
    startDashboard();
  } else {
    signOut();
  }
})();
