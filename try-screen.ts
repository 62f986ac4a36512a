import { screen } from './subgraph/guardrails/injection/screen';
for (const t of process.argv.slice(2)) console.log(JSON.stringify(screen(t, { context: 'question' })), '\n');
