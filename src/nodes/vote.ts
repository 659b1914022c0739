/**
 * @module `vote`: counts the answers of several agents. A choice that reaches the quorum goes out
 * through `decided`; a tie or a split below the quorum goes out through `undecided`, where an
 * arbiter (an agent, a person) settles it. Votes are compared by their text, trimmed and
 * case-insensitive.
 */
import { z } from 'zod';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { defineNode } from './node-type.ts';

const ballot = z.union([z.string(), z.strictObject({ voter: z.string().optional(), choice: z.string() })]);

export const voteNode = defineNode({
  type: 'vote',
  title: 'Vote',
  description:
    'Counts `votes` (texts, or { voter, choice }); `decided` gets { choice, counts, share } when one choice reaches ' +
    '`quorum`, `undecided` gets { counts, votes } otherwise (a tie, or a split below the quorum).',
  category: 'ai',
  params: z.strictObject({
    votes: z.array(ballot).min(1).max(100).describe("Usually an expression over the agents' outputs."),
    quorum: z
      .number()
      .gt(0)
      .max(1)
      .default(0.5)
      .describe(
        'The share of votes a choice needs, more than half by default (0.5 means strictly more than 50%).',
      ),
  }),
  shape: { role: 'task', inputs: ['in'], outputs: ['decided', 'undecided'], join: { kind: 'all' } },
  run: async (_ctx, { params }) => {
    const votes = params.votes.map((vote, index) =>
      typeof vote === 'string'
        ? { voter: `voter-${index + 1}`, choice: vote }
        : { voter: vote.voter ?? `voter-${index + 1}`, choice: vote.choice },
    );
    const counts = new Map<string, { choice: string; count: number }>();
    for (const vote of votes) {
      const key = vote.choice.trim().toLowerCase();
      if (key === '')
        throw new SwitchyardError('SY_NODE_PARAMS_INVALID', `${vote.voter} cast an empty vote`, {
          path: 'params.votes',
        });
      const entry = counts.get(key) ?? { choice: vote.choice.trim(), count: 0 };
      entry.count++;
      counts.set(key, entry);
    }
    const ranked = [...counts.values()].sort((a, b) => b.count - a.count);
    const tally = Object.fromEntries(ranked.map((entry) => [entry.choice, entry.count]));
    const [top, second] = ranked;
    const share = top!.count / votes.length;
    // "0.5" is a strict majority; any other quorum is "at least".
    const reached = params.quorum === 0.5 ? share > 0.5 : share >= params.quorum;
    if (reached && top!.count !== second?.count) {
      return { decided: { choice: top!.choice, counts: tally, share } };
    }
    return { undecided: { counts: tally, votes } };
  },
});
