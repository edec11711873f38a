/**
 * HTTP plumbing of the fault upstream: reading bodies within a bound, finding the key a request
 * presents (for presence checks only; nothing keeps or logs it), the 401 each vendor answers
 * without a key, and the 400 each answers for a body that is not JSON.
 */

import type * as http from 'node:http';
import type { ErrorAnswer, Vendor } from './faultResponses';

const MAX_BODY_BYTES = 5 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError());
        req.destroy();
        return;
      }
      parts.push(part);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** The key a request presents in any of the vendors' headers. Used for presence checks only. */
export function presentedKey(req: http.IncomingMessage): string {
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
  const candidates = [req.headers['x-api-key'], req.headers['api-key'], bearer];
  for (const candidate of candidates) {
    const value = Array.isArray(candidate) ? candidate[0] : candidate;
    if (value && value.trim()) return value.trim();
  }
  return '';
}

export function missingKeyError(vendor: Vendor): ErrorAnswer {
  if (vendor === 'anthropic') {
    return {
      status: 401,
      headers: {},
      body: {
        type: 'error',
        error: { type: 'authentication_error', message: 'x-api-key header is required' },
      },
    };
  }
  if (vendor === 'azure') {
    return {
      status: 401,
      headers: {},
      body: {
        error: {
          code: '401',
          message:
            'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
        },
      },
    };
  }
  return {
    status: 401,
    headers: {},
    body: {
      error: {
        message:
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    },
  };
}

/** The 400 for a body that is not a JSON object, in the vendor's shape. */
export function notJsonError(vendor: Vendor): ErrorAnswer {
  const body =
    vendor === 'anthropic'
      ? {
          type: 'error',
          error: { type: 'invalid_request_error', message: 'The request body is not valid JSON.' },
        }
      : {
          error: {
            message: 'We could not parse the JSON body of your request.',
            type: 'invalid_request_error',
            param: null,
            code: null,
          },
        };
  return { status: 400, headers: {}, body };
}

/** Parses a body that must be a JSON object; undefined when it is not one. */
export function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    return parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  headers: Readonly<Record<string, string>>,
  body: unknown,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}
