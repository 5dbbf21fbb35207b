import { generateKeyPairSync, sign } from 'crypto';
import { ParticipantTokenRefused, TokenVerificationContext, verifyParticipantToken } from './participant-token-verifier';

const STAGE = 'arn:aws:ivs:us-east-1:123456789012:stage/AbCdEfGhIjKl';
const KID = 'arn:aws:ivs:us-east-1:123456789012:public-key/KeYkEyKeYkEy';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const ivs: TokenVerificationContext = {
  publicKeys: new Map([[KID, { publicKeyMaterial: publicKey.export({ type: 'spki', format: 'pem' }).toString() }]]),
  stages: new Map([[STAGE, {}]]),
};
const now = Math.floor(Date.now() / 1000);
const CLAIMS = {
  exp: now + 60,
  iat: now,
  jti: 'p-1_x',
  resource: STAGE,
  topic: 'AbCdEfGhIjKl',
  events_url: 'wss://events',
  whip_url: 'https://whip',
  capabilities: { allow_publish: true, allow_subscribe: true },
  version: '1.0',
};

function token(claims: object = CLAIMS, header: object = { alg: 'ES384', typ: 'JWT', kid: KID }): string {
  const input = [header, claims].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.');
  return `${input}.${sign('sha384', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

test('accepts a token of the documented shape, signed with the key its kid names, for the stage joined', () => {
  expect(verifyParticipantToken(token({ ...CLAIMS, user_id: 'u', attributes: { a: 'b' } }), ivs, { stageArn: STAGE }))
    .toMatchObject({ jti: 'p-1_x', user_id: 'u' });
});

test.each([
  ['another algorithm', token(CLAIMS, { alg: 'ES256', typ: 'JWT', kid: KID }), /^header must be alg ES384/],
  ['no kid', token(CLAIMS, { alg: 'ES384', typ: 'JWT' }), /^header must be alg ES384, typ JWT, with a kid/],
  ['a DER signature', (() => {
    const [h, c] = token().split('.');
    return `${h}.${c}.${sign('sha384', Buffer.from(`${h}.${c}`), privateKey).toString('base64url')}`;
  })(), /^the signature does not verify/],
  ['an unknown claim', token({ ...CLAIMS, admin: true }), /^malformed claims: unknown claim admin$/],
  ['another version', token({ ...CLAIMS, version: '2.0' }), /version is "2.0", not "1.0"/],
  ['a participant ID with other characters', token({ ...CLAIMS, jti: 'a b' }), /jti is not letters, digits, - and _/],
  ['capabilities as a list', token({ ...CLAIMS, capabilities: ['PUBLISH'] }), /capabilities is not \{allow_publish, allow_subscribe\}/],
  ['a topic that is not the stage\'s ID', token({ ...CLAIMS, topic: 'other' }), /^for stage .* \(topic other\), not /],
  ['two parts', 'a.b', /^not a JWS: 2 parts$/],
])('refuses %s', (_what, refused, reason) => {
  expect(() => verifyParticipantToken(refused, ivs, { stageArn: STAGE })).toThrow(ParticipantTokenRefused);
  expect(() => verifyParticipantToken(refused, ivs, { stageArn: STAGE })).toThrow(reason);
});

test('refuses a token for a stage that no longer exists', () => {
  expect(() => verifyParticipantToken(token(), { ...ivs, stages: new Map() }, { stageArn: STAGE })).toThrow(`stage ${STAGE} does not exist`);
});
