// GET /status: the status page (observability/status/), drawn from the recorder's snapshots and one taken now.
// Like /metrics it is open to whoever reaches the port: it shows the same figures, none of them a tenant's
// (the metrics carry no tenant label). Its Content-Security-Policy allows the page's own inline style sheet (by
// hash) and nothing else: no script, no font, no request of any kind.
import type { RequestHandler } from 'express';
import { targetsOf } from '../gateway/routing/route-config';
import type { RouteTable } from '../gateway/routing/route-config';
import type { CircuitTarget } from '../observability/status/circuits-view';
import type { MetricsRecorder } from '../observability/status/metrics-recorder';
import { STATUS_PAGE_STYLE_HASH } from '../observability/status/page-style';
import { renderStatusPage } from '../observability/status/status-page';
import { statusView } from '../observability/status/status-view';

export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `style-src ${STATUS_PAGE_STYLE_HASH}`,
  // The page's icon is `data:,` (an empty one), so the browser asks the server for no favicon.
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function statusRoute(recorder: MetricsRecorder, routes: RouteTable): RequestHandler {
  const targets = routedTargets(routes);
  return async (_req, res) => {
    const view = statusView(await recorder.history(), {
      intervalMs: recorder.intervalMs,
      capacity: recorder.capacity,
      targets,
    });
    res
      .set({
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': STATUS_PAGE_CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
      })
      .send(renderStatusPage(view));
  };
}

/** Every target a task's chain (or small-model chain) names, once each. */
function routedTargets(routes: RouteTable): CircuitTarget[] {
  return Object.values(routes.tasks).flatMap(targetsOf);
}
