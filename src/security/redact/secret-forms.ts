/**
 * @module The shapes a secret takes once it has been through the usual encoders: a secret in a
 * JSON body, a query string, a form post or a Basic/Bearer header is no longer its plain text.
 */

/** The secret itself and its JSON-escaped, URL-encoded, form-encoded, base64 and base64url forms. */
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret);
  const forms = [
    secret,
    JSON.stringify(secret).slice(1, -1),
    bytes.toString('base64'),
    // Unpadded too, as JWTs and many APIs send it; the padded form is longer, so it wins where present.
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
    new URLSearchParams({ s: secret }).toString().slice('s='.length),
  ];
  try {
    forms.push(encodeURIComponent(secret));
  } catch {
    // A lone surrogate cannot be URL-encoded, so no encoder can have put this form on the wire either.
  }
  return [...new Set(forms)];
}
