import * as crypto from 'crypto';

/**
 * A random 128-bit certificate serial number as the hex string node-forge expects.
 *
 * node-forge writes `serialNumber` bytes verbatim into the DER INTEGER, so the first octet must
 * have its top bit clear (else the serial is negative, which `openssl verify -x509_strict` and
 * RFC 5280 §4.1.2.2 reject) and must not be 0x00 (else the encoding is not minimal DER). That
 * keeps every serial exactly 16 octets, with about 127 bits of entropy (CA/B asks for 64).
 */
export function randomSerialHex(): string {
  const bytes = crypto.randomBytes(16);
  bytes[0] = bytes[0] & 0x7f;
  if (bytes[0] === 0) bytes[0] = 0x01;
  return bytes.toString('hex');
}
