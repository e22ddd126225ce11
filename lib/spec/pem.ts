/**
 * PEM private-key blocks, recognised in one place: the secrets gate refuses output that holds
 * one, and errors redact them. Covers PKCS#1 (`RSA PRIVATE KEY`), PKCS#8 (`PRIVATE KEY`,
 * `ENCRYPTED PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`) and OpenSSH (`OPENSSH PRIVATE KEY`), the
 * labels of RFC 7468 and OpenSSH's PROTOCOL.key.
 */
const PRIVATE_KEY_BEGIN = /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----/;
const PRIVATE_KEY_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;

/** True when `text` contains the start of a PEM private-key block. */
export function containsPrivateKey(text: string): boolean {
  return PRIVATE_KEY_BEGIN.test(text);
}

/** `text` with every PEM private-key block replaced by `[REDACTED PRIVATE KEY]`. */
export function redactPrivateKeys(text: string): string {
  return text.replace(PRIVATE_KEY_BLOCK, '[REDACTED PRIVATE KEY]');
}
