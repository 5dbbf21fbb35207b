import * as fc from 'fast-check';
import { rawSignature } from '../../handlers/participant-token-issuer/jws';
import { derSignature } from '../support/fake-kms';

const integer48 = fc.uint8Array({ minLength: 48, maxLength: 48 });

describe('rawSignature: the DER signature KMS answers, as the 96-byte r‖s a JWS carries', () => {
  test('gives back r and s, each left-padded to 48 bytes, whatever their leading zeros and top bits', () => {
    // leading zero bytes (shorter INTEGERs) and set top bits (a 0x00 before them) are the cases that break converters.
    const shaped = fc.tuple(integer48, fc.nat({ max: 47 }), fc.boolean()).map(([bytes, zeros, high]) => {
      const value = Buffer.from(bytes);
      value.fill(0, 0, zeros);
      // eslint-disable-next-line no-bitwise -- sets the top bit of a byte, on purpose
      if (high) value[zeros] |= 0x80;
      return value;
    });
    fc.assert(fc.property(shaped, shaped, (r, s) => {
      expect(rawSignature(derSignature(r, s))).toEqual(Buffer.concat([r, s]));
    }), { numRuns: 500 });
  });

  test.each([
    ['not a SEQUENCE', Buffer.from([0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]), /expected tag 0x30 at byte 0/],
    ['an INTEGER missing', Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]), /expected tag 0x2 at byte 3/],
    ['bytes after the signature', Buffer.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00]), /1 bytes after the end/],
    ['a length past the end', Buffer.from([0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]), /bad length at byte 0/],
    ['an indefinite length', Buffer.from([0x30, 0x80, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00, 0x00]), /bad length at byte 0/],
    ['an integer over 48 bytes', derSignature(Buffer.alloc(49, 0x7f), Buffer.alloc(48, 1)), /an integer of 49 bytes/],
  ])('refuses %s rather than misread it', (_what, der, reason) => {
    expect(() => rawSignature(der)).toThrow(reason);
  });
});
