/**
 * @module The OpenAI wire format the gateway endpoint accepts and answers: chat completions (the
 * parameters it honours; others are refused, not silently ignored), embeddings and models.
 */
import { z } from 'zod';

const textPart = z.strictObject({ type: z.literal('text'), text: z.string() });

const textContent = z.union([z.string(), z.array(textPart).min(1)]);

export const chatMessage = z.discriminatedUnion('role', [
  z.strictObject({
    role: z.enum(['system', 'developer', 'user']),
    content: textContent,
    name: z.string().max(64).optional(),
  }),
  z.strictObject({
    role: z.literal('assistant'),
    content: textContent.nullable().optional(),
    name: z.string().max(64).optional(),
    refusal: z.string().nullable().optional(),
    tool_calls: z
      .array(
        z.strictObject({
          id: z.string().min(1).max(200),
          type: z.literal('function'),
          function: z.strictObject({ name: z.string().min(1).max(64), arguments: z.string() }),
        }),
      )
      .optional(),
  }),
  z.strictObject({
    role: z.literal('tool'),
    tool_call_id: z.string().min(1).max(200),
    content: textContent,
  }),
]);

export const chatCompletionBody = z.strictObject({
  model: z.string().min(1).max(128).describe('A configured model id, or a route id.'),
  messages: z.array(chatMessage).min(1).max(1000),
  stream: z.boolean().default(false),
  stream_options: z.strictObject({ include_usage: z.boolean().optional() }).optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  max_tokens: z.int().min(1).optional(),
  max_completion_tokens: z.int().min(1).optional(),
  stop: z.union([z.string().min(1), z.array(z.string().min(1)).max(4)]).optional(),
  n: z.literal(1).optional().describe('Only one choice per request.'),
  user: z.string().max(256).optional(),
  tools: z
    .array(
      z.strictObject({
        type: z.literal('function'),
        function: z.strictObject({
          name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/),
          description: z.string().max(2000).optional(),
          parameters: z.record(z.string(), z.unknown()).optional(),
          strict: z.boolean().optional(),
        }),
      }),
    )
    .max(128)
    .optional(),
  tool_choice: z.literal('auto').optional(),
  response_format: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('text') }),
      z.strictObject({ type: z.literal('json_object') }),
      z.strictObject({
        type: z.literal('json_schema'),
        json_schema: z.strictObject({
          name: z.string().max(64),
          description: z.string().optional(),
          schema: z.record(z.string(), z.unknown()),
          strict: z.boolean().optional(),
        }),
      }),
    ])
    .optional(),
});

export type ChatCompletionBody = z.output<typeof chatCompletionBody>;

export const embeddingsBody = z.strictObject({
  model: z.string().min(1).max(128),
  input: z.union([z.string(), z.array(z.string()).min(1).max(2048)]),
  encoding_format: z.enum(['float', 'base64']).default('float'),
  dimensions: z.int().min(1).optional(),
  user: z.string().max(256).optional(),
});
