// GET /metrics: the instance's Prometheus registry in the text format the scraper asks for.
import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';

export function metricsRoute(registry: Registry): RequestHandler {
  return async (_req, res) => {
    res.set('content-type', registry.contentType).send(await registry.metrics());
  };
}
