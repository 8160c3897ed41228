import { gunzipSync, gzipSync } from 'node:zlib'

// Payload items keep the body gzipped: a seed payload then fits in one or two write units
// instead of three, and gunzip gives back the bytes exactly as received.

export const encodePayload = (payload: string): Uint8Array => gzipSync(payload)

export const decodePayload = (stored: Uint8Array): string => gunzipSync(stored).toString('utf8')
