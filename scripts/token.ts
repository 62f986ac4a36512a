// `npm run token -- --tenant acme --scope "ai:ingest ai:admin"`: prints a token the subgraph accepts: signed with
// AUTH_JWT_SECRET when set, else with the development secret in DATA_DIR (read through the same loadConfig as
// the server, which creates it if neither has run there yet).
import { parseArgs } from 'node:util';
import { developmentSecretFile, loadConfig } from '../subgraph/config';
import { mintToken } from '../subgraph/auth/mint-token';
import { expiresInSeconds } from './expires-in';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tenant: { type: 'string' },
      scope: { type: 'string', default: '' },
      subject: { type: 'string' },
      'expires-in': { type: 'string', default: '3600' },
    },
  });
  if (!values.tenant) throw new Error('--tenant is required, for example: npm run token -- --tenant acme');
  const lifetimeSeconds = expiresInSeconds(values['expires-in']);
  const config = loadConfig();
  if (config.auth.key.kind !== 'secret') {
    throw new Error('tokens can be minted only for HS256 secrets (AUTH_JWT_SECRET or development mode)');
  }
  if (config.auth.key.development && developmentSecretFile(config.store.dataDir) === null) {
    throw new Error(
      'DATA_DIR=:memory: gives each subgraph start a development secret of its own: use the development token its start log prints',
    );
  }
  const token = await mintToken({
    secret: config.auth.key.secret,
    tenantId: values.tenant,
    tenantClaim: config.auth.tenantClaim,
    scopes: values.scope.split(/\s+/).filter(Boolean),
    subject: values.subject,
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    expiresInSeconds: lifetimeSeconds,
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
