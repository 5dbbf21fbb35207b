/**
 * A self-signed X.509 certificate for one host name, made at test time with Node's crypto (an EC P-256 key,
 * signed ECDSA-SHA256, valid for a day), so no certificate or key is ever committed and no `openssl` is needed.
 */
/* eslint-disable no-bitwise -- DER lengths, OID arcs and serial bits are bit arithmetic */
import { generateKeyPairSync, randomBytes, sign } from 'crypto';

export interface SelfSignedCertificate {
  /** PEM, to serve and to trust. */
  readonly cert: string;
  /** PEM (PKCS#8). */
  readonly key: string;
}

export function selfSignedCertificate(hostname: string): SelfSignedCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const name = sequence(set(sequence(oid('2.5.4.3'), tlv(0x0c, Buffer.from(hostname)))));
  const now = Date.now();
  const subjectAltName = sequence(oid('2.5.29.17'), tlv(0x04, sequence(tlv(0x82, Buffer.from(hostname)))));
  // CA:TRUE lets the certificate be its own trust anchor.
  const basicConstraints = sequence(oid('2.5.29.19'), tlv(0x01, Buffer.from([0xff])), tlv(0x04, sequence(tlv(0x01, Buffer.from([0xff])))));
  const ecdsaWithSha256 = sequence(oid('1.2.840.10045.4.3.2'));
  const serial = randomBytes(16);
  // positive and minimal, as DER wants an INTEGER: the top bit clear, the first byte not zero.
  serial[0] = (serial[0] & 0x7f) | 0x40;
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))),
    integer(serial),
    ecdsaWithSha256,
    name,
    sequence(utcTime(new Date(now - 60_000)), utcTime(new Date(now + 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, sequence(subjectAltName, basicConstraints)),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, ecdsaWithSha256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const base64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** One DER element: tag, definite length, contents. */
function tlv(tag: number, contents: Buffer): Buffer {
  const length = contents.length;
  const header = length < 0x80 ? [length] : length < 0x100 ? [0x81, length] : [0x82, length >> 8, length & 0xff];
  return Buffer.concat([Buffer.from([tag, ...header]), contents]);
}

function sequence(...elements: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(elements));
}

function set(...elements: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat(elements));
}

function integer(value: Buffer): Buffer {
  return tlv(0x02, value);
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let n = arc >> 7; n > 0; n >>= 7) {
      groups.unshift((n & 0x7f) | 0x80);
    }
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14);
  return tlv(0x17, Buffer.from(`${text}Z`));
}
