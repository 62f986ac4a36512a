// Scenario 1: the latency each path adds over calling the fake provider directly, at each concurrency. Three
// paths take the same load in interleaved slices (direct, Portkey, subgraph, then the reverse, ...), so drift
// in the machine's load falls on all of them alike: (a) the chat completion straight to the fake OpenAI
// server, (b) the same completion through the Portkey gateway, (c) the subgraph's summarize, a cache miss.
import type { Child } from '../support/child-process';
import { graphqlLabels } from '../support/load';
import type { LoadSpec } from '../support/load';
import { measureInterleaved } from '../support/measure';
import type { Measured } from '../support/measure';
import type { PromptSample } from '../support/servers/providers-server';
import { expectMember } from '../support/subgraph';
import { portkeyHeaders } from './portkey';
import { chatBody, chatLabels, isChatCompletion, isSummary, summarizeBody } from './setup';
import type { LatencyRun } from './setup';

export interface LoadShape {
  durationS: number;
  warmupS: number;
  slices: number;
}

export interface AddedAt {
  connections: number;
  direct: Measured;
  portkey: Measured;
  subgraph: Measured;
  /** With --plain: the same summarize on a subgraph with logs, tracing, sampling, caps and limits off. */
  plain?: Measured;
}

/** The prompt the subgraph sends for a summary, as the fake OpenAI server received it. */
export async function samplePrompt(run: LatencyRun, subgraph: Child): Promise<PromptSample> {
  const result = await expectMember(
    String(subgraph.ready.url),
    run.headers,
    summarizeBody(true)(),
    'summarize',
    'Summary',
  );
  const meta = result.meta as { provider: string; model: string; cached: boolean };
  if (meta.provider !== 'openai' || meta.cached) {
    throw new Error(`expected a fresh summary from openai, got ${JSON.stringify(meta)}`);
  }
  const sample = await run.providers.call<PromptSample | null>('sample', `openai:${meta.model}`);
  if (!sample) throw new Error(`the fake OpenAI server saw no request for ${meta.model}`);
  return sample;
}

/** One Portkey request by hand, so a wrong header fails here with Portkey's answer rather than under load. */
async function checkPortkey(url: string, headers: Record<string, string>, body: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  if (!isChatCompletion(response.status, text)) {
    throw new Error(`Portkey answered ${response.status} ${text.slice(0, 300)}`);
  }
}

export async function measureAddedLatency(
  run: LatencyRun,
  servers: { subgraph: Child; portkey: Child; plain?: Child },
  sample: PromptSample,
  levels: readonly number[],
  shape: LoadShape,
): Promise<AddedAt[]> {
  const { subgraph, portkey, plain } = servers;
  const baseURL = String(run.providers.ready.openaiBaseURL);
  const bearer = { authorization: 'Bearer bench' };
  const viaPortkey = { ...bearer, ...portkeyHeaders(baseURL) };
  await checkPortkey(
    String(portkey.ready.url),
    { 'content-type': 'application/json', ...viaPortkey },
    chatBody(sample)(),
  );
  const common = { durationS: shape.durationS, warmupS: shape.warmupS };
  const results: AddedAt[] = [];
  for (const connections of levels) {
    console.log(`1) added latency at ${connections} concurrent`);
    const direct: LoadSpec = {
      ...common,
      title: 'direct to the fake provider',
      url: `${baseURL}/chat/completions`,
      connections,
      headers: bearer,
      body: chatBody(sample),
      classify: chatLabels,
      verify: isChatCompletion,
    };
    const throughPortkey: LoadSpec = {
      ...direct,
      title: 'through Portkey 1.15.2',
      url: String(portkey.ready.url),
      headers: viaPortkey,
    };
    const summarize: LoadSpec = {
      ...common,
      title: 'subgraph summarize, cache miss, all on',
      url: String(subgraph.ready.url),
      connections,
      headers: run.headers,
      body: summarizeBody(true),
      classify: graphqlLabels,
      verify: isSummary,
    };
    const others = { providers: run.providers, receiver: run.receiver };
    const plainPath = plain && {
      spec: { ...summarize, title: 'subgraph summarize, cache miss, plain', url: String(plain.ready.url) },
      processes: { server: plain, others: { providers: run.providers }, subgraph: true },
    };
    const [a, b, c, d] = await measureInterleaved(
      [
        { spec: direct, processes: { server: run.providers } },
        { spec: throughPortkey, processes: { server: portkey, others: { providers: run.providers } } },
        { spec: summarize, processes: { server: subgraph, others, subgraph: true } },
        ...(plainPath ? [plainPath] : []),
      ],
      shape.slices,
      { alternate: true },
    );
    if (!a || !b || !c) throw new Error('the interleaved run lost a path');
    results.push({ connections, direct: a, portkey: b, subgraph: c, ...(d ? { plain: d } : {}) });
  }
  return results;
}
