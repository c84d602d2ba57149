/**
 * A POST over node:http with a keep-alive agent: what an open-loop sender needs, at a fraction of
 * fetch's CPU (its WHATWG streams and request objects cost the sender about 0.3 of a core at 200
 * requests/s, taken from the processes it measures on a 2-core machine).
 */
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export interface PostAnswer {
  status: number;
  text: string;
}

export function httpPost(url: string, headers: Record<string, string>, body: string): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    sent.on('error', (error) => reject(new Error(`POST ${url}: ${error.message}`)));
    sent.end(body);
  });
}
