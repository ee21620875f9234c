// A Federation member client in Node.js, built only from protos/ and the OAuth 2.0 token endpoint.
// Needs a running hub: FEDERATION_TOKEN_URL, FEDERATION_GRPC (host:port, plaintext h2c),
// FEDERATION_ADMIN_ID and FEDERATION_ADMIN_SECRET (run.sh provides them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run tests/interop/run.sh`);
  return value;
};
const protoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../protos');
const definition = protoLoader.loadSync(
  ['federation/v1/signal_service.proto', 'federation/v1/membership_service.proto'],
  { includeDirs: [protoRoot], keepCase: true, enums: String, longs: String, defaults: true, oneofs: true },
);
const federation = grpc.loadPackageDefinition(definition).federation.v1;

async function token(clientId, clientSecret, scope) {
  const response = await fetch(env('FEDERATION_TOKEN_URL'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope }),
  });
  const body = await response.json();
  assert.equal(response.status, 200, `token request failed: ${JSON.stringify(body)}`);
  assert.equal(body.token_type.toLowerCase(), 'bearer');
  return body.access_token;
}

function client(Service, accessToken) {
  const credentials = grpc.credentials.createInsecure();
  const c = new Service(env('FEDERATION_GRPC'), credentials);
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${accessToken}`);
  return { c, metadata };
}

const unary = ({ c, metadata }, method, request) =>
  new Promise((resolve, reject) => c[method](request, metadata, { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response))));

const sha256 = () => randomBytes(32).toString('hex');

async function newMember() {
  const admin = client(federation.MembershipService, await token(env('FEDERATION_ADMIN_ID'), env('FEDERATION_ADMIN_SECRET'), 'federation.admin'));
  const memberId = `node-${randomBytes(6).toString('hex')}`;
  const created = await unary(admin, 'CreateMember', { member_id: memberId, display_name: 'Node interop member' });
  assert.equal(created.member.status, 'MEMBER_STATUS_ACTIVE');
  const accessToken = await token(memberId, created.client_secret, 'signals.submit signals.read');
  return client(federation.SignalService, accessToken);
}

test('a call without a token is refused with UNAUTHENTICATED', async () => {
  const { c } = client(federation.SignalService, 'x');
  await assert.rejects(
    new Promise((resolve, reject) => c.Lookup({ queries: [] }, new grpc.Metadata(), (e, r) => (e ? reject(e) : resolve(r)))),
    // A real gRPC status with a reason, not a bare HTTP 401 ("Received HTTP status code 401").
    (e) => e.code === grpc.status.UNAUTHENTICATED && /access token/.test(e.details) && !/HTTP status code/.test(e.details),
  );
});

test('a token without the needed scope is refused with PERMISSION_DENIED naming the scope', async () => {
  const member = await newMember();
  const membership = new federation.MembershipService(env('FEDERATION_GRPC'), grpc.credentials.createInsecure());
  await assert.rejects(
    new Promise((resolve, reject) => membership.ListMembers({}, member.metadata, (e, r) => (e ? reject(e) : resolve(r)))),
    (e) => e.code === grpc.status.PERMISSION_DENIED && e.details.includes('federation.admin'),
  );
});

test('submit then look up by another spelling of the same value', async () => {
  const member = await newMember();
  const value = sha256();
  const submitted = await unary(member, 'Submit', {
    request_id: `node-${randomBytes(8).toString('hex')}`,
    items: [
      { type: 'SIGNAL_TYPE_SHA256', value, categories: ['CATEGORY_CSAM'] },
      { type: 'SIGNAL_TYPE_SHA256', value: 'not-hex', categories: ['CATEGORY_CSAM'] },
    ],
  });
  assert.equal(submitted.results[0].outcome, 'SUBMIT_OUTCOME_CREATED');
  assert.equal(submitted.results[1].outcome, 'SUBMIT_OUTCOME_REJECTED');
  assert.equal(submitted.summary.created, 1);

  const found = await unary(member, 'Lookup', { queries: [{ type: 'SIGNAL_TYPE_SHA256', value: value.toUpperCase() }] });
  assert.equal(found.results[0].matches.length, 1);
  assert.equal(found.results[0].matches[0].signal.id, `sha256:${value}`);
  assert.equal(found.results[0].matches[0].signal.contributed_by_caller, true);
});

test('the feed delivers a submission made after subscribing', { timeout: 30_000 }, async () => {
  const member = await newMember();
  const { c, metadata } = member;
  const value = sha256();
  const call = c.Subscribe({ start: 'SUBSCRIBE_START_LATEST' }, metadata);
  try {
    const delivered = new Promise((resolve, reject) => {
      let submitted = false;
      call.on('data', async ({ update }) => {
        // The first message (a heartbeat or an update) proves the stream is live: submit then.
        if (!submitted) {
          submitted = true;
          unary(member, 'Submit', { request_id: `node-${randomBytes(8).toString('hex')}`, items: [{ type: 'SIGNAL_TYPE_SHA256', value, categories: ['CATEGORY_GROOMING'] }] })
            .catch(reject);
        }
        if (update.signal && update.signal.value === value) resolve(update);
      });
      call.on('error', reject);
    });
    // A quiet hub sends a heartbeat only every HeartbeatInterval; start writing if nothing arrives first.
    const update = await delivered;
    assert.equal(update.kind, 'UPDATE_KIND_CREATED');
    assert.ok(update.cursor.length > 0);
    assert.deepEqual(update.signal.categories, ['CATEGORY_GROOMING']);
  } finally {
    call.cancel();
  }
});
