/**
 * PEM private-key blocks, recognised in one place: the secrets gate refuses output that holds
 * one, and errors redact them. Covers PKCS#1 (`RSA PRIVATE KEY`), PKCS#8 (`PRIVATE KEY`,
 * `ENCRYPTED PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`) and OpenSSH (`OPENSSH PRIVATE KEY`), the
 * labels of RFC 7468 and OpenSSH's PROTOCOL.key.
 */
const PRIVATE_KEY_BEGIN = /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----/;
const PRIVATE_KEY_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;

// Base64 of '-----BEGIN ' (a PEM block inside a Secret `data` value or any other base64 field).
const BASE64_PEM = /LS0tLS1CRUdJTi[A-Za-z0-9+/=]{20,}/g;

/** True when `text` contains the start of a PEM private-key block, as text or base64-encoded. */
export function containsPrivateKey(text: string): boolean {
  if (PRIVATE_KEY_BEGIN.test(text)) return true;
  for (const match of text.match(BASE64_PEM) ?? []) {
    if (PRIVATE_KEY_BEGIN.test(Buffer.from(match, 'base64').toString('latin1'))) return true;
  }
  return false;
}

/** `text` with every PEM private-key block replaced by `[REDACTED PRIVATE KEY]`. */
export function redactPrivateKeys(text: string): string {
  return text.replace(PRIVATE_KEY_BLOCK, '[REDACTED PRIVATE KEY]');
}
