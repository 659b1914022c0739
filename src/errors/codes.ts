/**
 * @module The one registry of Switchyard error codes. Every error a user can see carries one of
 * these codes; the test beside this file checks they are unique, documented and well formed.
 */

/** Who is at fault: decides retries, HTTP status classes and how loudly we log. */
export type ErrorCategory = 'user' | 'operational' | 'unexpected' | 'provider';

export interface ErrorCodeInfo {
  readonly category: ErrorCategory;
  /** HTTP status when the error reaches an API caller. */
  readonly status: number;
  /** Whether retrying the same operation can succeed. */
  readonly retryable: boolean;
  /** One sentence: what this code means. */
  readonly summary: string;
  /** Default advice on how to fix it; a specific error may give a sharper one. */
  readonly hint: string;
}

const user = (summary: string, hint: string, status = 400): ErrorCodeInfo => ({
  category: 'user',
  status,
  retryable: false,
  summary,
  hint,
});

export const errorCodes = {
  // The workflow file and its definition.
  SY_WF_PARSE: user(
    'The workflow file is not well-formed JSON or YAML.',
    'Fix the syntax at the line shown.',
  ),
  SY_WF_SCHEMA: user(
    'The workflow breaks the format schema.',
    'Compare the field with schema/workflow-v1.json; unknown fields are refused.',
  ),
  SY_WF_UNKNOWN_NODE_TYPE: user(
    'A node names a type that is not registered.',
    'Run `switchyard nodes` to list the node types.',
  ),
  SY_WF_PARAMS_INVALID: user(
    "A node's parameters break its parameter schema.",
    'Run `switchyard nodes TYPE` to see the parameters it accepts.',
  ),
  SY_WF_STATIC_PARAM: user(
    'This parameter shapes the graph and must be a literal, not an expression.',
    'Write the value itself instead of {{ … }}.',
  ),
  SY_WF_DUPLICATE_ID: user('Two nodes share one id.', 'Give every node a unique id.'),
  SY_WF_DANGLING_EDGE: user('An edge points at a node that does not exist.', 'Fix the node id in the edge.'),
  SY_WF_UNKNOWN_PORT: user(
    'An edge uses a port that its node does not have.',
    'Use one of the ports the message lists.',
  ),
  SY_WF_CYCLE: user(
    'The graph has a cycle that does not go through a loop node.',
    'Break the cycle, or route the repeated part through a `loop` node (back into its `next` port).',
  ),
  SY_WF_LOOP_BODY: user(
    'An edge crosses the boundary of a loop body.',
    'Nodes inside a loop connect only to each other, to the loop `item` port and back to its `next`/`break` ports; read values from outside with {{ $nodes.ID }}.',
  ),
  SY_WF_UNREACHABLE: user('A node cannot be reached from any entry node.', 'Connect it, or delete it.'),
  SY_WF_NO_ENTRY: user('The workflow has no entry node.', 'Add a node of type `start`.'),
  SY_WF_ENTRY_INPUT: user(
    'An entry node has an incoming edge.',
    'Entry nodes start an execution; remove the edge into it.',
  ),
  SY_WF_ERROR_PORT: user(
    "An edge leaves a node's `error` port but the node does not route errors.",
    'Set `onError: branch` on that node.',
  ),
  SY_WF_EXPRESSION: user('An expression does not parse.', 'Fix the JSONata between {{ and }}.'),
  SY_WF_INVALID: user(
    'The workflow definition has problems; `details.problems` lists every one.',
    'Fix each problem at its path, or run `switchyard validate` on the file.',
    422,
  ),

  // Expressions at run time.
  SY_EXPR_EVAL: user('An expression failed while it was evaluated.', 'Check the data it reads.', 422),
  SY_EXPR_TIMEOUT: user(
    'An expression ran longer than its time limit.',
    'Simplify it; expressions are for mapping data, not computation.',
    422,
  ),
  SY_EXPR_LIMIT: user(
    'An expression exceeded a limit (result size, recursion depth or sequence length).',
    'Make the expression produce less data.',
    422,
  ),
  SY_EXPR_FORBIDDEN: user(
    'An expression used a function that is not allowed.',
    'Values are never evaluated as code: map the data instead of calling $eval.',
    422,
  ),

  // Code sandbox.
  SY_CODE_SYNTAX: user('The code does not parse.', 'Fix the JavaScript syntax.', 422),
  // Thrown errors and timeouts may be transient (the code may depend on its input or, later, on
  // services it calls), so a node's retry policy applies to them; syntax and limits never change.
  SY_CODE_ERROR: {
    ...user('The code threw an error.', 'Read the error message and stack.', 422),
    retryable: true,
  },
  SY_CODE_TIMEOUT: {
    ...user('The code ran longer than its time limit.', 'Make it faster or raise `timeoutMs`.', 422),
    retryable: true,
  },
  SY_CODE_MEMORY: user(
    'The code used more memory than its limit.',
    'Use less data or raise `memoryMb`.',
    422,
  ),
  SY_CODE_STACK: user('The code recursed too deeply.', 'Replace deep recursion with a loop.', 422),
  SY_CODE_OUTPUT: user(
    'The code returned a value that is not JSON or is too large.',
    'Return plain JSON data (objects, arrays, strings, numbers, booleans, null).',
    422,
  ),

  // Execution.
  SY_INPUT_INVALID: user('The input does not fit what the workflow expects.', 'Fix the input.', 422),
  SY_NODE_PARAMS_INVALID: user(
    "A node's parameters, once their expressions were evaluated, break its schema.",
    'Check the expressions that feed the named parameter.',
    422,
  ),
  SY_NODE_TIMEOUT: {
    category: 'operational',
    status: 504,
    retryable: true,
    summary: 'A node ran longer than its timeout.',
    hint: "Raise the node's `timeoutMs`, or find out why it is slow.",
  },
  SY_NODE_FAILED: {
    category: 'unexpected',
    status: 500,
    retryable: true,
    summary: 'A node failed with an error that had no code of its own.',
    hint: 'Read the cause.',
  },
  SY_FAIL_NODE: user('A `fail` node stopped the execution on purpose.', 'Read its message.', 422),
  SY_MERGE_QUORUM: user(
    'A merge node received fewer branches than it needs.',
    'Lower its `count`, or make the branches succeed.',
    422,
  ),
  SY_LOOP_ITEMS: user(
    'A loop was given something that is not a list.',
    'Make `items` evaluate to an array.',
    422,
  ),
  SY_SUBWORKFLOW_NOT_FOUND: user(
    'A sub-workflow could not be found.',
    'Check the `workflow` parameter; file paths are relative to the parent workflow file.',
    422,
  ),
  SY_SUBWORKFLOW_DEPTH: user(
    'Sub-workflows are nested too deeply.',
    'Look for a workflow that calls itself.',
    422,
  ),
  SY_SUBWORKFLOW_FAILED: user('A sub-workflow failed.', 'Read the cause: it is the sub-workflow error.', 422),
  SY_EXEC_TIMEOUT: {
    category: 'operational',
    status: 504,
    retryable: false,
    summary: 'The execution ran longer than the workflow timeout.',
    hint: 'Raise `settings.timeoutMs`, or find the slow node.',
  },
  SY_EXEC_CANCELLED: {
    category: 'operational',
    status: 409,
    retryable: false,
    summary: 'The execution was cancelled.',
    hint: 'Start it again if that was a mistake.',
  },

  // Resources.
  SY_WORKFLOW_NOT_FOUND: user(
    'No workflow has this id (in this workspace).',
    'List workflows to find its id.',
    404,
  ),
  SY_WORKFLOW_NOT_PUBLISHED: user(
    'The workflow has no published version to run.',
    'Publish a version first; executions always run a published, immutable version.',
    409,
  ),
  SY_EXECUTION_NOT_FOUND: user(
    'No execution has this id (in this workspace).',
    'List executions to find its id.',
    404,
  ),
  SY_REPLAY_INVALID: user(
    'This execution cannot be replayed from that node.',
    'Pick a node outside any loop, in the same workflow version.',
    422,
  ),

  // Storage.
  SY_STORE_LOCKED: {
    category: 'operational',
    status: 503,
    retryable: false,
    summary: 'The embedded database is in use by another Switchyard process.',
    hint: 'Stop the other process, or point SWITCHYARD_DATA_DIR elsewhere; use PostgreSQL to run several processes.',
  },
  SY_STORE_UNAVAILABLE: {
    category: 'operational',
    status: 503,
    retryable: true,
    summary: 'The database cannot be reached.',
    hint: 'Check SWITCHYARD_DATABASE_URL and that the server is running.',
  },
  SY_STORE_MIGRATION: {
    category: 'operational',
    status: 500,
    retryable: false,
    summary: 'A database migration failed, or the database is newer than this Switchyard.',
    hint: 'Read the cause; run `switchyard migrate` with the matching release.',
  },
  SY_STORE_CONFLICT: user('The record changed or exists already.', 'Read it again and retry.', 409),

  // Command line and configuration.
  SY_CONFIG_INVALID: user(
    'A setting in the environment is not valid.',
    'Fix the variable the message names.',
  ),
  SY_CLI_USAGE: user('The command line is not valid.', 'Run `switchyard help COMMAND`.'),
  SY_CLI_INPUT: user(
    'The execution input is not valid JSON.',
    'Pass a JSON value to --input, or a file to --input-file.',
  ),
  SY_FILE_NOT_FOUND: user('A file could not be read.', 'Check the path and its permissions.', 404),

  SY_INTERNAL: {
    category: 'unexpected',
    status: 500,
    retryable: false,
    summary: 'Switchyard broke one of its own invariants.',
    hint: 'This is a bug: please report it with the workflow and the log.',
  },

  // HTTP (server)
  SY_HTTP_NOT_FOUND: user(
    'No route answers this method and path.',
    'Read /api/v1/openapi.json (or the docs at /api/v1/docs) for the routes.',
    404,
  ),
  SY_HTTP_VALIDATION: user(
    'The request breaks the schema of its route; `errors` lists each failing field.',
    'Fix each field at its path; unknown fields are refused.',
  ),
  SY_HTTP_MALFORMED: user(
    'The request body is not well-formed JSON, or nests deeper than the server accepts.',
    'Send one JSON document, nested at most as deep as the limit the message names.',
  ),
  SY_HTTP_BODY_TOO_LARGE: user(
    'The request body is larger than the server accepts.',
    'Send a smaller body, or raise the limit the server was started with.',
    413,
  ),
  SY_HTTP_CONTENT_TYPE: user(
    'The request body has a content type this route does not accept.',
    'Send the body as application/json.',
    415,
  ),
  SY_RETRY_INVALID: user(
    'Only a failed execution on the dead-letter list, not retried yet, can be retried.',
    'List dead letters to find one; replay an execution from a node to run it again otherwise.',
    409,
  ),

  // Schedules
  SY_SCHEDULE_NOT_FOUND: user(
    'No schedule with this id exists in the workspace.',
    'List schedules to find the id; a deleted schedule is gone.',
    404,
  ),
  SY_SCHEDULE_INVALID: user(
    'The cron expression or the time zone of a schedule is not valid.',
    "Use five or six cron fields (e.g. '0 9 * * 1-5') and an IANA time zone such as 'Europe/Paris' or 'UTC'.",
  ),

  // Webhooks (and the Idempotency-Key of the routes that create or start)
  SY_WEBHOOK_NOT_FOUND: user(
    'No published version of this workflow has a webhook node at this path.',
    'Check the workflow id and the `path` of its webhook node, and publish the workflow.',
    404,
  ),
  SY_WEBHOOK_SIGNATURE: user(
    'The webhook signature is missing, does not match the body, or its timestamp is outside the window.',
    'Sign "<timestamp>.<raw body>" with HMAC-SHA256 and the shared secret (hex), and send a current Unix timestamp.',
    401,
  ),
  SY_WEBHOOK_SECRET_MISSING: {
    category: 'operational',
    status: 500,
    retryable: false,
    summary: "The environment variable that holds this webhook's signing secret is not set.",
    hint: "Set the variable named by the webhook node's `signature.secretEnv` where the server runs.",
  },
  SY_WEBHOOK_TIMEOUT: {
    category: 'operational',
    status: 504,
    retryable: true,
    summary: 'The workflow did not reach its respond node in time; the execution goes on.',
    hint: "Follow the execution by its id, raise the webhook node's `timeoutMs`, or respond earlier.",
  },
  SY_SERVER_STOPPING: {
    category: 'operational',
    status: 503,
    retryable: false,
    summary: 'The server stopped before the workflow answered; the execution goes on when it starts again.',
    hint: 'Follow the execution by its id (the Location header); sent again, the request starts another unless it carries the same delivery id.',
  },
  SY_WEBHOOK_EXECUTION_FAILED: {
    category: 'operational',
    status: 502,
    retryable: false,
    summary: 'The workflow behind this webhook failed or was cancelled before it responded.',
    hint: 'Read the execution by its id to see which node failed and why.',
  },
  SY_WEBHOOK_DELIVERY_IN_PROGRESS: {
    category: 'operational',
    status: 409,
    retryable: true,
    summary: 'A delivery with this id is being started by another request right now.',
    hint: 'Retry the delivery in a moment: it then answers with the execution the first one started.',
  },
  SY_IDEMPOTENCY_MISMATCH: user(
    'This Idempotency-Key was used before with a different request.',
    'Use a new key for a new request; repeat a request only with its exact method, path and body.',
    422,
  ),
  SY_IDEMPOTENCY_IN_PROGRESS: {
    category: 'operational',
    status: 409,
    retryable: true,
    summary: 'A request with this Idempotency-Key is still being processed.',
    hint: "Retry in a moment: the repeat then answers with the first request's result.",
  },
  // Identity and access.
  SY_AUTH_REQUIRED: user(
    'This route needs authentication and the request carries none.',
    'Send `Authorization: Bearer <access token or API key>`; get a token from POST /api/v1/auth/login.',
    401,
  ),
  SY_AUTH_INVALID_TOKEN: user(
    'The access token or API key is not valid: malformed, wrongly signed, revoked or unknown.',
    'Sign in again (or refresh) for a new access token, or use a current API key.',
    401,
  ),
  SY_AUTH_TOKEN_EXPIRED: user(
    'The access token has expired.',
    'Get a new one from POST /api/v1/auth/refresh, or sign in again.',
    401,
  ),
  SY_AUTH_BAD_CREDENTIALS: user(
    'The e-mail address or password is wrong.',
    'Check both and try again; repeated failures lock the account for a while.',
    401,
  ),
  SY_AUTH_LOCKED: {
    category: 'user',
    status: 429,
    retryable: true,
    summary: 'Too many failed sign-ins: the account or address is locked for a while.',
    hint: 'Wait for the time given in Retry-After, then try again.',
  },
  SY_AUTH_FORBIDDEN: user(
    'The caller is authenticated but lacks the permission this action needs.',
    'Ask a workspace admin for a role (or an API key scope) that grants it.',
    403,
  ),
  SY_AUTH_SIGNUP_CLOSED: user(
    'Sign-up is closed on this server.',
    'Ask an admin to create your account.',
    403,
  ),
  SY_AUTH_CSRF: user(
    'A cookie-authenticated request arrived without a matching CSRF token.',
    'Send the value of the `sy_csrf` cookie in the X-CSRF-Token header.',
    403,
  ),
  SY_AUTH_REFRESH_INVALID: user(
    'The refresh token is missing, expired, revoked or was already used.',
    'Sign in again. A reused refresh token revokes its whole family, as a stolen one would be.',
    401,
  ),
  SY_AUTH_WEAK_PASSWORD: user(
    'The password is too weak.',
    'Use at least 12 characters; a passphrase of several words works well.',
  ),
  SY_USER_EXISTS: user('An account with this e-mail address exists already.', 'Sign in instead.', 409),
  SY_USER_NOT_FOUND: user('No such user in this workspace.', 'List the members to see their ids.', 404),
  SY_API_KEY_NOT_FOUND: user(
    'No such API key in this workspace.',
    'List the API keys to see their ids.',
    404,
  ),
  SY_RATE_LIMITED: {
    category: 'user',
    status: 429,
    retryable: true,
    summary: 'Too many requests from this caller in a short time.',
    hint: 'Wait for the time given in Retry-After, then retry; ask an operator to raise the limit if it is too low.',
  },

  // The credential vault.
  SY_CREDENTIAL_NOT_FOUND: user(
    'No credential of that name or id in this workspace.',
    'Create it with POST /api/v1/credentials, or fix the name the node uses.',
    404,
  ),
  SY_VAULT_KEY_MISSING: {
    category: 'operational',
    status: 500,
    retryable: false,
    summary: 'A credential was encrypted under a master key that is not configured any more.',
    hint: 'Add the old key to SWITCHYARD_MASTER_KEYS (with its key id) so that old records can be decrypted.',
  },
  SY_VAULT_TAMPERED: {
    category: 'unexpected',
    status: 500,
    retryable: false,
    summary: 'A stored credential failed its integrity check and was not decrypted.',
    hint: 'The record or the key was altered; restore the record from a backup or set the credential again.',
  },
  SY_VAULT_MASTER_KEY_INVALID: {
    category: 'operational',
    status: 500,
    retryable: false,
    summary: 'The configured master key is malformed.',
    hint: 'Give 32 random bytes in base64 (e.g. `openssl rand -base64 32`), as `keyId:base64` for rotation.',
  },

  // Outbound requests a workflow steers.
  SY_OUTBOUND_URL_INVALID: user(
    'The URL of an outbound request is not a valid absolute http(s) URL.',
    'Give a full URL such as https://api.example.com/items.',
  ),
  SY_OUTBOUND_BLOCKED: user(
    'The outbound request was refused: its address is private, local or otherwise not allowed.',
    "Requests to internal networks are blocked by default; an operator can allow a host or range in the workspace's outbound allow-list.",
    403,
  ),
  SY_OUTBOUND_DNS: {
    category: 'operational',
    status: 502,
    retryable: true,
    summary: 'The host name of an outbound request could not be resolved.',
    hint: 'Check the host name; if it is right, the DNS server may be down.',
  },
  SY_OUTBOUND_FAILED: {
    category: 'operational',
    status: 502,
    retryable: true,
    summary: 'The outbound connection failed or broke before a full response arrived.',
    hint: 'Check that the remote service is up and reachable; the request can be retried.',
  },
  SY_OUTBOUND_TIMEOUT: {
    category: 'operational',
    status: 504,
    retryable: true,
    summary: 'The outbound request took longer than its timeout.',
    hint: 'Raise the timeout, or check why the remote service is slow.',
  },
  SY_OUTBOUND_TOO_LARGE: user(
    'The response of an outbound request is larger than allowed.',
    'Raise the maximum response size of the node, or ask the remote service for less.',
    502,
  ),
  SY_OUTBOUND_REDIRECTS: user(
    'The outbound request was redirected too many times.',
    'Call the final URL directly, or raise the redirect limit.',
    502,
  ),
  SY_OUTBOUND_STATUS: {
    category: 'provider',
    status: 502,
    retryable: false,
    summary: 'The remote service answered an outbound request with an error status.',
    hint: 'Read the status and body in the error details; 429 and 5xx are retried when the node allows retries.',
  },
  // People in the loop.
  SY_APPROVAL_UNAVAILABLE: user(
    'Approvals need a durable run: this one has nowhere to wait.',
    'Run the workflow through `switchyard serve` (or `switchyard run --durable`).',
  ),
  SY_APPROVAL_NOT_FOUND: user(
    'No such approval in this workspace.',
    'List them with GET /api/v1/approvals.',
    404,
  ),
  SY_APPROVAL_DECIDED: user(
    'This approval was decided already.',
    'Read it again to see who decided and how; a decision cannot be changed.',
    409,
  ),
  SY_APPROVAL_TIMEOUT: user(
    'Nobody decided the approval before its deadline.',
    'Decide sooner, give the node a longer timeoutMs, or let it take `onTimeout: approve | reject`.',
    408,
  ),

  SY_AGENT_STEP_LIMIT: user(
    'The agent reached its step limit without finishing.',
    'Raise maxSteps, make the task narrower, or give the agent a finish tool; the details list its tool calls.',
    422,
  ),

  // Model calls through the gateway.
  SY_LLM_UNAVAILABLE: {
    category: 'provider',
    status: 503,
    retryable: true,
    summary: 'No model could answer: every candidate failed or its circuit breaker is open.',
    hint: 'The details list each attempt and why it failed; check the providers, or add a fallback model to the route.',
  },
  SY_LLM_TIMEOUT: {
    category: 'provider',
    status: 504,
    retryable: true,
    summary: 'The model did not send its first token, or its whole answer, in time.',
    hint: 'Raise the timeouts of the call, or route to a faster model.',
  },
  SY_LLM_STREAM_BROKEN: {
    category: 'provider',
    status: 502,
    retryable: true,
    summary:
      "The model's answer stopped mid-way; the partial answer was discarded, never returned as complete.",
    hint: 'The call is retried whole when retries are left; otherwise retry it later.',
  },
  SY_LLM_RATE_LIMITED: {
    category: 'provider',
    status: 429,
    retryable: true,
    summary: 'The model provider refused the call for too many requests.',
    hint: 'The gateway waits for Retry-After before retrying; add a fallback model or raise the provider quota.',
  },
  SY_LLM_PROVIDER_ERROR: {
    category: 'provider',
    status: 502,
    retryable: true,
    summary: 'The model provider failed (a 5xx answer or a broken connection).',
    hint: 'Usually transient: the call is retried and falls back to the next model of the route.',
  },
  SY_LLM_OUTPUT_INVALID: {
    category: 'provider',
    status: 502,
    retryable: true,
    summary: 'The model did not answer with an object of the required JSON Schema.',
    hint: 'The call is retried; if it keeps failing, simplify the schema or say in the prompt what the object must hold.',
  },
  SY_LLM_BUDGET_EXCEEDED: user(
    'The call could cost more than what is left of a budget.',
    'Raise the budget (PUT /api/v1/budgets), lower maxOutputTokens, or route to a cheaper model.',
    402,
  ),
  SY_LLM_REQUEST_INVALID: user(
    'The model provider refused the request as invalid.',
    'Read the provider message in the details: a parameter, message or tool definition is wrong for this model.',
  ),
  // Chat: conversations with a workflow that has a chat trigger.
  SY_CONVERSATION_NOT_FOUND: user(
    'No conversation has this id (in this workspace).',
    'List them with GET /api/v1/conversations.',
    404,
  ),
  SY_CHAT_NOT_ENABLED: user(
    'The workflow cannot chat: its latest published version has no `chat` entry node.',
    'Add a `chat` node as the entry of the workflow and publish a version.',
    422,
  ),
  SY_CHAT_REPLY_FAILED: {
    category: 'operational',
    status: 502,
    retryable: false,
    summary: 'The workflow behind this conversation failed or was cancelled before it replied.',
    hint: 'Read the execution by its id to see which node failed and why; no reply was stored.',
  },
  SY_CHAT_REPLY_TIMEOUT: {
    category: 'operational',
    status: 504,
    retryable: false,
    summary: 'The workflow did not reply within the time the server waits.',
    hint: 'Follow the execution by its id; a reply that comes later is not stored in the conversation.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof errorCodes;

export function errorInfo(code: ErrorCode): ErrorCodeInfo {
  return errorCodes[code];
}
