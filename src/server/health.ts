/** `GET /health`: plain text, as the original lean-ctx answered and its SDKs read it. */
export const HEALTH_BODY = 'ok\n';
export const HEALTH_CONTENT_TYPE = 'text/plain; charset=utf-8';
