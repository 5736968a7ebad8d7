import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { ClusterNodeList, CounterHistory } from '../api/types.js';
import { Notice } from '../components/notice.js';
import { RpsChart } from '../components/rps-chart.js';
import { useI18n } from '../i18n/i18n.js';
import { nodeRow, type ClusterBackends, type NodeRow } from '../lib/cluster.js';
import { formatBytes, formatDuration } from '../lib/format.js';
import { auth } from '../state/auth.js';
import { useStore } from '../state/store.js';
import { emptySeries, pushRates, seriesFrom, type CounterSample, type RateSeries } from '../lib/series.js';

const POLL_MS = 1000;

// The chart's window outlives the page: leaving the dashboard and coming back (in this tab) keeps the
// last minute instead of starting from an empty chart.
const kept: { series: RateSeries; previous: CounterSample | null } = { series: emptySeries(), previous: null };

export function DashboardPage() {
  const { t } = useI18n();
  // null: first answer pending; 'absent': no cluster (404); 'signin': 401; 'error': the relay failed.
  const [available, setAvailable] = useState<true | 'absent' | 'signin' | 'error' | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [backends, setBackends] = useState<ClusterBackends | null>(null);
  const [nodes, setNodes] = useState<NodeRow[] | null>(null);
  const [series, setSeries] = useState<RateSeries>(kept.series);
  const [choice, setChoice] = useState<string>('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const previous = useRef<CounterSample | null>(kept.previous);
  const { ready, me } = useStore(auth);
  const signedIn = Boolean(me);

  useEffect(() => {
    // Signed out, nothing here can be shown: no requests at all (each would be a 401 in the console).
    if (!signedIn) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | null = null;
    // Sequential polling: the next request starts a second after the last one ended, never piling up.
    const poll = async () => {
      const [b, n] = await Promise.all([api<ClusterBackends>('GET', '/api/cluster/backends'), api<ClusterNodeList>('GET', '/api/cluster/nodes')]);
      if (!live) return;
      if (!b.ok || !b.data) {
        setAvailable(b.status === 401 ? 'signin' : b.status === 404 ? 'absent' : 'error');
        setFailure(b.error?.message ?? null);
      } else {
        setAvailable(true);
        const read = b.data;
        setBackends(read);
        const sample: CounterSample = { at: Date.now(), counters: Object.fromEntries(read.backends.map((x) => [x.id, x.requests])) };
        const before = previous.current;
        setSeries((s) => (kept.series = pushRates(s, before, sample)));
        previous.current = kept.previous = sample;
      }
      setNodes(n.ok && n.data ? n.data.nodes.map(nodeRow) : null);
      // No cluster (404) or no longer signed in (401): asking again a second later changes nothing.
      if (!b.ok && (b.status === 401 || b.status === 404)) return;
      timer = setTimeout(() => void poll(), POLL_MS);
    };
    // The node's last minute first, so the chart starts with the recent past; then live samples.
    void api<CounterHistory>('GET', '/api/cluster/history').then((history) => {
      if (!live) return;
      const samples = history.ok && history.data ? history.data.samples : [];
      // A window kept from a recent visit in this tab is the same history and as fresh; an older one is not.
      if (samples.length >= 2 && (!kept.previous || kept.previous.at < samples[0]!.at)) {
        const built = seriesFrom(samples);
        kept.series = built.series;
        kept.previous = previous.current = built.last;
        setSeries(built.series);
      }
      void poll();
    });
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [signedIn]);

  useEffect(() => {
    if (!choice && backends?.algorithm) setChoice(backends.algorithm);
  }, [backends?.algorithm]);

  async function switchAlgorithm(event: Event) {
    event.preventDefault();
    if (!choice) return;
    const result = await api('PUT', '/api/cluster/algorithm', { name: choice });
    if (result.status === 403) return setMessage({ ok: false, text: t('dash.adminOnly') });
    setMessage(result.ok ? { ok: true, text: t('dash.algorithm.switched', { name: choice }) } : { ok: false, text: result.error?.message ?? 'failed' });
  }

  if (!ready || (signedIn && available === null)) return <p>{t('common.loading')}</p>;
  if (!signedIn || available !== true) {
    return (
      <section>
        <h1>{t('dash.title')}</h1>
        {!signedIn || available === 'signin' ? (
          <p>
            {t('common.signInFirst')} <a href="/login">{t('nav.login')}</a>
          </p>
        ) : (
          <p class="notice notice-info" data-testid="cluster-unavailable">
            {available === 'error' && failure ? t('common.error', { message: failure }) : t('dash.unavailable')}
          </p>
        )}
      </section>
    );
  }
  return (
    <section>
      <h1>{t('dash.title')}</h1>
      <p class="muted">{t('dash.updated')}</p>
      <section class="panel" aria-labelledby="rps-h">
        <h2 id="rps-h">{t('dash.rps')}</h2>
        <RpsChart series={series} label={t('dash.rps')} />
      </section>
      <div class="grid">
        <section class="panel" aria-labelledby="algo-h">
          <h2 id="algo-h">{t('dash.algorithm')}</h2>
          <p>
            <strong data-testid="algorithm">{backends?.algorithm ?? '—'}</strong>
          </p>
          <form class="inline" onSubmit={(e) => void switchAlgorithm(e)}>
            <label>
              <span class="sr-only">{t('dash.algorithm')}</span>
              <select value={choice} onChange={(e) => setChoice(e.currentTarget.value)} data-testid="algorithm-select">
                {(backends?.available ?? []).map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit">{t('dash.algorithm.apply')}</button>
          </form>
          {message && <Notice kind={message.ok ? 'ok' : 'error'}>{message.text}</Notice>}
        </section>
      </div>
      <section class="panel" aria-labelledby="backends-h">
        <h2 id="backends-h">{t('dash.backends')}</h2>
        <div class="table-wrap">
          <table data-testid="backends">
            <thead>
              <tr>
                <th scope="col">{t('dash.backend')}</th>
                <th scope="col">{t('dash.state')}</th>
                <th scope="col">{t('dash.weight')}</th>
                <th scope="col">{t('dash.active')}</th>
                <th scope="col">{t('dash.requests')}</th>
                <th scope="col">{t('dash.failures')}</th>
                <th scope="col">{t('dash.latency')}</th>
              </tr>
            </thead>
            <tbody>
              {backends?.backends.map((b) => (
                <tr key={b.id} data-backend={b.id}>
                  <th scope="row" class="mono">
                    {b.id}
                  </th>
                  <td>
                    <span class={`pill pill-${b.state === 'up' ? 'connected' : b.state === 'down' ? 'refused' : 'reconnecting'}`}>{b.state}</span>
                  </td>
                  <td>{b.weight}</td>
                  <td>{b.activeConnections}</td>
                  <td>{b.requests}</td>
                  <td>{b.failures}</td>
                  <td>{b.latencyMs.toFixed(1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {nodes && (
        <section class="panel" aria-labelledby="nodes-h">
          <h2 id="nodes-h">{t('dash.nodes')}</h2>
          <div class="table-wrap">
            <table data-testid="nodes">
              <thead>
                <tr>
                  <th scope="col">{t('dash.node')}</th>
                  <th scope="col">{t('dash.loopDelay')}</th>
                  <th scope="col">{t('dash.sockets')}</th>
                  <th scope="col">{t('dash.memory')}</th>
                  <th scope="col">{t('dash.uptime')}</th>
                </tr>
              </thead>
              <tbody>
                {nodes.map((n) => (
                  <tr key={n.id} data-node={n.id}>
                    <th scope="row" class="mono">
                      {n.id}
                      {!n.reachable && <span class="pill pill-refused"> {t('dash.unreachable')}</span>}
                    </th>
                    <td>{n.loopDelayMs === null ? '—' : n.loopDelayMs.toFixed(1)}</td>
                    <td>{n.sockets ?? '—'}</td>
                    <td>{n.rssBytes === null ? '—' : formatBytes(n.rssBytes)}</td>
                    <td>{n.uptimeSec === null ? '—' : formatDuration(n.uptimeSec)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </section>
  );
}
