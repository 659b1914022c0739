/** Conformance: conversations (scoped by workspace, newest first) and their messages (seq order, memory window). */
import { describe, expect, it } from 'vitest';
import type { NewMessage } from '../../../src/store/conversation-ports.ts';
import type { Store } from '../../../src/store/ports.ts';
import { T0 } from './builders.ts';
import type { StoreFixture } from './fixture.ts';

const conversation = (
  id: string,
  overrides: { workspaceId?: string; workflowId?: string; now?: number } = {},
) => ({
  id,
  workspaceId: overrides.workspaceId ?? 'default',
  workflowId: overrides.workflowId ?? 'wf-1',
  title: `about ${id}`,
  createdBy: 'user:u1',
  now: overrides.now ?? T0,
});

const said = (id: string, content: string, overrides: Partial<NewMessage> = {}): NewMessage => ({
  id,
  role: 'user',
  content,
  now: T0 + 1,
  ...overrides,
});

async function talk(store: Store, conversationId: string, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    await store.conversations.append('default', conversationId, said(`${conversationId}-m${i}`, `say ${i}`));
  }
}

export function conversationConformance(fixture: StoreFixture): void {
  describe('conversations', () => {
    it('creates, reads, lists newest first by page, and keeps other workspaces out', async () => {
      const store = await fixture.open();
      for (let i = 0; i < 5; i++) {
        await store.conversations.create(
          conversation(`c${i}`, { now: T0 + i, workflowId: i % 2 ? 'wf-2' : 'wf-1' }),
        );
      }
      await store.conversations.create(conversation('elsewhere', { workspaceId: 'other' }));
      expect(await store.conversations.get('default', 'c1')).toEqual({
        id: 'c1',
        workspaceId: 'default',
        workflowId: 'wf-2',
        title: 'about c1',
        createdBy: 'user:u1',
        createdAt: T0 + 1,
        updatedAt: T0 + 1,
        summary: null,
        summaryThroughSeq: 0,
      });
      // A running summary moves forward only: an older one arriving late is ignored.
      expect(await store.conversations.saveSummary('default', 'c1', { text: 'up to 4', throughSeq: 4 })).toBe(
        true,
      );
      expect(await store.conversations.saveSummary('default', 'c1', { text: 'up to 2', throughSeq: 2 })).toBe(
        false,
      );
      expect(await store.conversations.saveSummary('other', 'c1', { text: 'theirs', throughSeq: 9 })).toBe(
        false,
      );
      expect(await store.conversations.get('default', 'c1')).toMatchObject({
        summary: 'up to 4',
        summaryThroughSeq: 4,
      });
      expect(await store.conversations.get('default', 'elsewhere')).toBeUndefined();
      const first = await store.conversations.list('default', { limit: 3 });
      expect(first.items.map((c) => c.id)).toEqual(['c4', 'c3', 'c2']);
      const second = await store.conversations.list('default', { limit: 3, after: first.next! });
      expect(second.items.map((c) => c.id)).toEqual(['c1', 'c0']);
      expect(second.next).toBeUndefined();
      const byWorkflow = await store.conversations.list('default', { limit: 10, workflowId: 'wf-2' });
      expect(byWorkflow.items.map((c) => c.id)).toEqual(['c3', 'c1']);
    });

    it('appends messages in seq order with their accounting, and touches the conversation', async () => {
      const store = await fixture.open();
      await store.conversations.create(conversation('c1'));
      const question = await store.conversations.append('default', 'c1', said('m1', 'héllo ✓'));
      const answer = await store.conversations.append(
        'default',
        'c1',
        said('m2', 'hi', {
          role: 'assistant',
          executionId: 'ex-1',
          model: 'primary',
          inputTokens: 12,
          outputTokens: 3,
          costMicros: 42,
          now: T0 + 5,
        }),
      );
      expect(question).toEqual({
        id: 'm1',
        conversationId: 'c1',
        workspaceId: 'default',
        seq: 1,
        role: 'user',
        content: 'héllo ✓',
        executionId: null,
        model: null,
        inputTokens: 0,
        outputTokens: 0,
        costMicros: 0,
        createdAt: T0 + 1,
      });
      expect(answer).toMatchObject({ seq: 2, role: 'assistant', executionId: 'ex-1', model: 'primary' });
      expect((await store.conversations.messages('default', 'c1', { limit: 10 })).items).toEqual([
        question,
        answer,
      ]);
      expect((await store.conversations.get('default', 'c1'))?.updatedAt).toBe(T0 + 5);
      expect(await store.conversations.append('default', 'missing', said('m3', 'x'))).toBeUndefined();
      expect(await store.conversations.append('other', 'c1', said('m4', 'x'))).toBeUndefined();
      expect((await store.conversations.messages('other', 'c1', { limit: 10 })).items).toEqual([]);
    });

    it('gives concurrent appends distinct, gap-free seqs', async () => {
      const store = await fixture.open();
      await store.conversations.create(conversation('c1'));
      const appended = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          store.conversations.append('default', 'c1', said(`m${i}`, `n${i}`)),
        ),
      );
      expect(appended.map((m) => m?.seq).sort((a, b) => a! - b!)).toEqual(
        Array.from({ length: 12 }, (_, i) => i + 1),
      );
    });

    it('pages messages by seq and reads the most recent window oldest first', async () => {
      const store = await fixture.open();
      await store.conversations.create(conversation('c1'));
      await talk(store, 'c1', 7);
      const first = await store.conversations.messages('default', 'c1', { limit: 3 });
      expect(first.items.map((m) => m.seq)).toEqual([1, 2, 3]);
      expect(first.nextSeq).toBe(3);
      const last = await store.conversations.messages('default', 'c1', { limit: 4, afterSeq: 3 });
      expect(last.items.map((m) => m.seq)).toEqual([4, 5, 6, 7]);
      expect(last.nextSeq).toBeUndefined();

      const recent = await store.conversations.recent('default', 'c1', { maxMessages: 3 });
      expect(recent.map((m) => m.content)).toEqual(['say 5', 'say 6', 'say 7']);
      const before = await store.conversations.recent('default', 'c1', { maxMessages: 2, beforeSeq: 7 });
      expect(before.map((m) => m.seq)).toEqual([5, 6]);
      expect(await store.conversations.recent('default', 'c1', { maxMessages: 0 })).toEqual([]);
      expect(await store.conversations.recent('other', 'c1', { maxMessages: 5 })).toEqual([]);
    });

    it('deletes a conversation with its messages, only in its own workspace', async () => {
      const store = await fixture.open();
      await store.conversations.create(conversation('c1'));
      await talk(store, 'c1', 2);
      expect(await store.conversations.delete('other', 'c1')).toBe(false);
      expect(await store.conversations.delete('default', 'c1')).toBe(true);
      expect(await store.conversations.get('default', 'c1')).toBeUndefined();
      expect((await store.conversations.messages('default', 'c1', { limit: 10 })).items).toEqual([]);
      expect(await store.conversations.delete('default', 'c1')).toBe(false);
      // The messages went with it: a new conversation of the same id starts again at seq 1.
      await store.conversations.create(conversation('c1'));
      expect((await store.conversations.append('default', 'c1', said('again', 'x')))?.seq).toBe(1);
    });
  });
}
