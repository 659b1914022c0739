/** @module What the server needs of a chat wire protocol, so that one request path serves both. */
import type { ChatRequest, Content } from './answer.ts';
import type { Protocol } from './script.ts';
import type { Frame } from './sse.ts';

export interface ChatProtocol {
  readonly name: Protocol;
  readonly responseIdPrefix: string;
  readonly toolIdPrefix: string;
  /** The request as the model sees it, or why it is not a valid request (a 400). */
  read(body: unknown): ChatRequest | string;
  completion(request: ChatRequest, content: Content, id: string): unknown;
  frames(request: ChatRequest, content: Content, id: string): Frame[];
  error(status: number, message: string, type?: string): unknown;
}
