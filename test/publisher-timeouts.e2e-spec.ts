import { derivedId } from '@mfh/event-store';
import { QUEUES } from '@mfh/messaging';
import { eventually } from '@mfh/testing';
import { purchase } from './support/fixtures';
import { billingStarted, publisherDoes } from './support/publisher-steps';
import { startSystem, TestSystem } from './support/system';

describe('Time-driven steps in the worker', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startSystem({ env: { OPERATION_AUTO_ACCEPT_MS: '300' } });
  });

  afterAll(() => system.close());

  const eventIdOf = async (subscriptionId: string, type: string): Promise<string> => {
    const { rows } = await system.db.query<{ event_id: string }>(
      'SELECT event_id FROM events WHERE stream_id = $1 AND event_type = $2 ORDER BY stream_revision DESC LIMIT 1',
      [`subscription-${subscriptionId}`, type],
    );
    return rows[0].event_id;
  };

  describe('a change the publisher does not answer is accepted when its window closes', () => {
    it('accepts a partner seat change after OPERATION_AUTO_ACCEPT_MS', async () => {
      const contoso = await system.client('contoso');
      const sub = await purchase(contoso, { quantity: 3 });
      await billingStarted(system, sub.subscriptionId, 3);
      const requested = await contoso.patch(sub.path, { body: { quantity: 7 } });
      expect(requested.status).toBe(202);
      const operationPath = new URL(requested.headers.get('operation-location')!).pathname;
      // Read from the 202 itself: a later read could already lose the race against the short window.
      expect(requested.body.pendingOperations).toEqual([expect.objectContaining({ action: 'ChangeQuantity', status: 'InProgress', quantity: 7 })]);

      const job = await system.finishedJob(QUEUES.operations, await eventIdOf(sub.subscriptionId, 'SeatChangeRequested'));
      expect(job.returnvalue).toBe('accepted');
      // Due a window after the request, however late the worker saw it.
      const requestedAt = Date.parse(requested.body.pendingOperations[0].requestedAt);
      expect(job.processedOn!).toBeGreaterThanOrEqual(requestedAt + 300 - 5);
      expect((await contoso.get(operationPath)).body).toMatchObject({ status: 'Succeeded', completedAt: expect.any(String) });
      expect((await contoso.get(sub.path)).body).toMatchObject({ quantity: 7, pendingOperations: [] });
      const { rows } = await system.db.query<{ metadata: Record<string, unknown> }>(
        "SELECT metadata FROM events WHERE stream_id = $1 AND event_type = 'SeatsChanged'",
        [`subscription-${sub.subscriptionId}`],
      );
      expect(rows[0].metadata).toMatchObject({ actor: 'operation-timeout', source: 'System' });

      // The admin sees both timers with their business-time due times: the auto-accept fired, the renewal waits.
      const admin = await system.client('admin');
      const timers = await eventually(
        async () => (await admin.get(`/v1/admin/timers?subscriptionId=${sub.subscriptionId}`)).body,
        (body) => body.items?.some((t: { kind: string; state: string }) => t.kind === 'operation-auto-accept' && t.state === 'fired'),
      );
      const started = (await contoso.get(sub.path)).body;
      expect(timers).toEqual({
        subscriptionId: sub.subscriptionId,
        testClockId: null,
        totalCount: 2,
        items: [
          {
            id: expect.any(String),
            kind: 'renewal',
            state: 'pending',
            dueAt: `${new Date(Date.parse(`${started.commitmentEndDate}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)}T00:00:00.000Z`,
            operationId: null,
            termEnd: started.commitmentEndDate,
            cycleStart: null,
            settledAt: null,
          },
          {
            id: expect.any(String),
            kind: 'operation-auto-accept',
            state: 'fired',
            dueAt: new Date(requestedAt + 300).toISOString(),
            operationId: operationPath.split('/').pop(),
            termEnd: null,
            cycleStart: null,
            settledAt: expect.any(String),
          },
        ],
      });
      expect((await admin.get('/v1/admin/timers?subscriptionId=not-a-uuid')).status).toBe(400);
      expect((await (await system.client('contoso')).get(`/v1/admin/timers?subscriptionId=${sub.subscriptionId}`)).status).toBe(403);
    });

    it('leaves an operation the publisher answered in time as answered', async () => {
      const contoso = await system.client('contoso');
      const sub = await purchase(contoso, { quantity: 3 });
      await billingStarted(system, sub.subscriptionId, 3);
      const requested = await contoso.patch(sub.path, { body: { quantity: 9 } });
      const operationId = new URL(requested.headers.get('operation-location')!).pathname.split('/').pop()!;
      await publisherDoes(system, sub.subscriptionId, {
        type: 'RejectOperation',
        data: { operationId, reason: 'Seats unavailable', now: system.clock.now().toISOString(), answeredBy: 'Publisher' },
      });

      const job = await system.finishedJob(QUEUES.operations, await eventIdOf(sub.subscriptionId, 'SeatChangeRequested'));
      expect(job.returnvalue).toBe('already-finished');
      expect((await contoso.get(sub.path)).body.quantity).toBe(3);
    });

    it('accepts a publisher-requested plan change and cancellation the same way', async () => {
      const contoso = await system.client('contoso');
      const sub = await purchase(contoso, { quantity: 12 });
      await billingStarted(system, sub.subscriptionId, 12);
      const now = () => system.clock.now().toISOString();
      await publisherDoes(system, sub.subscriptionId, {
        type: 'ChangePlan',
        data: {
          planId: 'enterprise',
          plan: { id: 'enterprise', minQuantity: 10, maxQuantity: 10000, isPrivate: false, isPricePerSeat: true },
          operationId: derivedId(sub.subscriptionId, 'plan'),
          requestedBy: 'Publisher',
          now: now(),
        },
      });
      expect((await system.finishedJob(QUEUES.operations, await eventIdOf(sub.subscriptionId, 'PlanChangeRequested'))).returnvalue).toBe('accepted');
      expect((await contoso.get(sub.path)).body.planId).toBe('enterprise');

      await publisherDoes(system, sub.subscriptionId, {
        type: 'RequestCancellation',
        data: { operationId: derivedId(sub.subscriptionId, 'cancel'), requestedBy: 'Publisher', now: now() },
      });
      expect((await system.finishedJob(QUEUES.operations, await eventIdOf(sub.subscriptionId, 'CancellationRequested'))).returnvalue).toBe('accepted');
      expect((await contoso.get(sub.path)).body.status).toBe('deleted');
    });
  });

  describe('at the end of a term', () => {
    const DAY = 86_400_000;

    async function activeWithRenewalJob(autoRenew: boolean) {
      const contoso = await system.client('contoso');
      const sub = await purchase(contoso, { quantity: 2, termDuration: 'P1M', billingCycle: 'monthly' });
      if (!autoRenew) await contoso.patch(sub.path, { body: { autoRenewEnabled: false } });
      await billingStarted(system, sub.subscriptionId, 2);
      await system.caughtUp();
      const jobId = await eventIdOf(sub.subscriptionId, 'BillingStarted');
      const job = await system.queue(QUEUES.renewals).getJob(jobId);
      expect(await job!.getState()).toBe('delayed');
      const termEnd: string = (await contoso.get(sub.path)).body.commitmentEndDate;
      expect(job!.opts.delay).toBeGreaterThan(25 * DAY);
      return { contoso, sub, jobId, termEnd };
    }

    it('renews a term with auto-renew on, and schedules the next one', async () => {
      const { contoso, sub, jobId, termEnd } = await activeWithRenewalJob(true);
      system.clock.advance(32 * DAY);
      try {
        await (await system.queue(QUEUES.renewals).getJob(jobId))!.promote();
        expect((await system.finishedJob(QUEUES.renewals, jobId)).returnvalue).toBe('renewed');
      } finally {
        system.clock.advance(-32 * DAY);
      }
      const view = (await contoso.get(sub.path)).body;
      expect(view.status).toBe('active');
      expect(view.commitmentEndDate > termEnd).toBe(true);
      await system.caughtUp();
      const next = await system.queue(QUEUES.renewals).getJob(await eventIdOf(sub.subscriptionId, 'SubscriptionRenewed'));
      expect(await next!.getState()).toBe('delayed');
    });

    it('ends a term with auto-renew off: the subscription expires', async () => {
      const { contoso, sub, jobId } = await activeWithRenewalJob(false);
      system.clock.advance(32 * DAY);
      try {
        await (await system.queue(QUEUES.renewals).getJob(jobId))!.promote();
        expect((await system.finishedJob(QUEUES.renewals, jobId)).returnvalue).toBe('expired');
      } finally {
        system.clock.advance(-32 * DAY);
      }
      expect((await contoso.get(sub.path)).body.status).toBe('deleted');
    });

    it('puts a renewal that wakes early back to sleep until the term has ended', async () => {
      const { contoso, sub, jobId } = await activeWithRenewalJob(true);
      const queue = system.queue(QUEUES.renewals);
      expect((await queue.getJob(jobId))!.processedOn).toBeUndefined();
      await (await queue.getJob(jobId))!.promote();
      const sleptAgain = await eventually(
        async () => {
          const job = (await queue.getJob(jobId))!;
          return { ran: job.processedOn !== undefined, state: await job.getState(), delay: job.delay };
        },
        (job) => job.ran && job.state === 'delayed',
      );
      expect(sleptAgain).toMatchObject({ ran: true, state: 'delayed' });
      expect((await contoso.get(sub.path)).body.status).toBe('active');
      expect(await eventIdOf(sub.subscriptionId, 'SubscriptionRenewed').catch(() => null)).toBeNull();
    });
  });
});
