import { createHash } from 'crypto';

/** P-384's order is 384 bits: a JWS carries r and s as 48 bytes each (RFC 7518, section 3.4). */
const ES384_INTEGER_BYTES = 48;

/**
 * Signs a JWT with ES384, the hashing done here and the signing by `signDigest` (KMS's Sign of a SHA-384 DIGEST, so that
 * the request stays small whatever the claims), which answers a DER signature.
 */
export async function es384Jwt(header: object, claims: object, signDigest: (digest: Buffer) => Promise<Uint8Array>): Promise<string> {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const der = await signDigest(createHash('sha384').update(signingInput).digest());
  return `${signingInput}.${rawSignature(der).toString('base64url')}`;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/**
 * An ECDSA signature in the form a JWS carries, r‖s (each left-padded to 48 bytes), from the DER form KMS answers:
 * `SEQUENCE { INTEGER r, INTEGER s }`, each INTEGER minimal and with a leading 0x00 when its top bit is set.
 */
export function rawSignature(der: Uint8Array): Buffer {
  const reader = new DerReader(Buffer.from(der));
  const sequence = new DerReader(reader.read(0x30));
  reader.end();
  const [r, s] = [sequence.read(0x02), sequence.read(0x02)];
  sequence.end();
  return Buffer.concat([fixedWidth(r), fixedWidth(s)]);
}

function fixedWidth(integer: Buffer): Buffer {
  let value = integer;
  while (value.length > 0 && value[0] === 0) {
    value = value.subarray(1);
  }
  if (value.length > ES384_INTEGER_BYTES) {
    throw new Error(`not an ES384 signature: an integer of ${value.length} bytes`);
  }
  return Buffer.concat([Buffer.alloc(ES384_INTEGER_BYTES - value.length), value]);
}

/** Reads DER tag-length-value items, refusing anything malformed rather than misreading it. */
class DerReader {
  private offset = 0;

  constructor(private readonly bytes: Buffer) {}

  read(tag: number): Buffer {
    if (this.bytes[this.offset] !== tag) {
      throw new Error(`not a DER ECDSA signature: expected tag 0x${tag.toString(16)} at byte ${this.offset}`);
    }
    let length: number | undefined = this.bytes[this.offset + 1];
    let start = this.offset + 2;
    // 0x81 then one byte: the long form of a length over 127 (a P-384 signature's SEQUENCE is at most 104 bytes).
    if (length === 0x81) {
      length = this.bytes[start];
      start += 1;
    } else if (length >= 0x80) {
      length = undefined;
    }
    if (length === undefined || start + length > this.bytes.length) {
      throw new Error(`not a DER ECDSA signature: bad length at byte ${this.offset}`);
    }
    this.offset = start + length;
    return this.bytes.subarray(start, start + length);
  }

  end(): void {
    if (this.offset !== this.bytes.length) {
      throw new Error(`not a DER ECDSA signature: ${this.bytes.length - this.offset} bytes after the end`);
    }
  }
}
