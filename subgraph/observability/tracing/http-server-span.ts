// One SERVER span per HTTP request on a route, continuing the caller's W3C trace context (the router's
// traceparent), and the rest of the request run in it: Apollo, the resolvers and the features start their
// spans as its children. Mounted after the body parser: a parser reading the body from socket events would
// run the next handler outside the context entered here.
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
} from '@opentelemetry/semantic-conventions';
import type { RequestHandler } from 'express';
import { contextFromHeaders } from './remote-context';
import { tracer } from './tracer';

export function httpServerSpan(route: string): RequestHandler {
  return (req, res, next) => {
    const parent = contextFromHeaders(req.headers);
    const span = tracer.startSpan(
      `${req.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { [ATTR_HTTP_REQUEST_METHOD]: req.method, [ATTR_HTTP_ROUTE]: route },
      },
      parent,
    );
    // 'close' comes once the response is sent or the connection is gone, whichever happens.
    res.once('close', () => {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
