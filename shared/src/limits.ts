/** The largest request body the API reads (JSON, after decoding). The API's body parser
 *  and the web client's /api edge both refuse anything larger with 413
 *  `payload_too_large`, so one number decides for both. */
export const REQUEST_BODY_LIMIT_BYTES = 100 * 1024;

export const requestBodyLimitText = `${REQUEST_BODY_LIMIT_BYTES / 1024} kB`;
