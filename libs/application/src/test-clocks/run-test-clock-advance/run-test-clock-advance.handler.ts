import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AppConfig } from '@mfh/config';
import { type TestClockCommand, type TestClockEvent, testClockStream } from '@mfh/domain';
import { testClockDecider } from '@mfh/domain/deciders';
import { comparePositions, derivedId, EventMetadata, EventStore, GlobalPosition } from '@mfh/event-store';
import { DueTimer, InvoicesRepository, TimersRepository } from '@mfh/read-models';
import { IssueInvoice } from '../../billing/issue-invoice/issue-invoice.command';
import { Clock } from '../../clock';
import { CommandExecutor } from '../../command-executor';
import { inLanes } from '../../in-lanes';
import { AcceptUnansweredOperation } from '../../subscriptions/accept-unanswered-operation/accept-unanswered-operation.command';
import { ExpireSuspension } from '../../subscriptions/expire-suspension/expire-suspension.command';
import { RenewSubscription } from '../../subscriptions/renew-subscription/renew-subscription.command';
import { StartBillingCycle } from '../../subscriptions/start-billing-cycle/start-billing-cycle.command';
import { LogFollowers } from '../log-followers';
import type { TimerFired } from '../timer-fired';
import { AdvanceRun, RunTestClockAdvance } from './run-test-clock-advance.command';

/** Timers due at one instant are on different subscriptions, so they fire side by side, this many at a time. */
const FIRING_CONCURRENCY = 32;

@CommandHandler(RunTestClockAdvance)
export class RunTestClockAdvanceHandler implements ICommandHandler<RunTestClockAdvance> {
  constructor(
    private readonly store: EventStore,
    private readonly executor: CommandExecutor,
    private readonly commands: CommandBus,
    private readonly timers: TimersRepository,
    private readonly invoices: InvoicesRepository,
    private readonly followers: LogFollowers,
    private readonly config: AppConfig,
    private readonly wall: Clock,
  ) {}

  async execute({ testClockId, metadata }: RunTestClockAdvance): Promise<AdvanceRun> {
    const stream = testClockStream(testClockId);
    const events = (await this.store.readStream(stream)) as unknown as (TestClockEvent & { id: string })[];
    const state = events.reduce(testClockDecider.evolve, testClockDecider.initialState());
    if (state.status !== 'advancing') return { fired: 0, frozenTime: state.status === 'none' ? null : state.frozenTime };
    const started = events.filter((event) => event.type === 'TestClockAdvanceStarted').at(-1)!;
    const target = state.advancingTo!;
    // The clock's own events are dated in wall time, when each step was taken; its time is in their data.
    const clock = (command: TestClockCommand, id: string) =>
      this.executor.execute({
        stream,
        decider: testClockDecider,
        commands: command,
        metadata: { ...metadata, occurredAt: this.wall.now().toISOString() },
        eventId: (index) => derivedId(id, index),
      });

    // What was decided before the advance (a seat change just asked for) sets its timers first.
    await this.followers.catchUp();
    const tried = new Set<string>();
    let fired = 0;
    for (;;) {
      const due = this.nextInstant(await this.dueTimers(testClockId, target), tried);
      if (due.length === 0) break;
      const at = due[0].dueAt;
      await clock({ type: 'ReachTestClockTime', data: { frozenTime: at } }, derivedId(testClockId, at, 'reached'));
      const results = await inLanes(due, FIRING_CONCURRENCY, (timer) => this.fire(timer, this.firingMetadata(metadata, started.id)));
      due.forEach((timer) => tried.add(timer.timer.id));
      fired += results.filter((result) => result.outcome !== 'nothing-to-do' && result.outcome !== 'already-finished').length;
      const last = latest(results.map((result) => result.position));
      if (last) {
        await this.followers.reach(last);
        // The charger appends the charges of what fired as it passes it, so after `last`: those are applied too before the next instant.
        await this.followers.catchUp();
      }
    }
    await this.followers.catchUp();
    const done = await clock({ type: 'CompleteTestClockAdvance', data: { now: this.wall.now().toISOString() } }, derivedId(started.id, 'advanced'));
    return { fired, frozenTime: done.state.status === 'none' ? null : done.state.frozenTime };
  }

  /**
   * The timers due first that this run has not fired yet. One it fired stays pending only when its
   * command found nothing to do; it is not tried again, so a run always ends.
   */
  private nextInstant(pending: readonly DueTimer[], tried: ReadonlySet<string>): DueTimer[] {
    const open = pending.filter((timer) => !tried.has(timer.timer.id));
    if (open.length === 0) return [];
    const first = Math.min(...open.map((timer) => Date.parse(timer.dueAt)));
    return open.filter((timer) => Date.parse(timer.dueAt) === first);
  }

  /** The clock's subscriptions' timers and its open invoices' closes, due by `until`. */
  private async dueTimers(testClockId: string, until: string): Promise<DueTimer[]> {
    const [subscriptions, invoices] = await Promise.all([
      this.timers.dueOnTestClock(testClockId, until, this.config.OPERATION_AUTO_ACCEPT_MS),
      this.invoices.closingOnTestClock(testClockId, until, this.config.INVOICE_CLOSE_DELAY),
    ]);
    return [...subscriptions, ...invoices];
  }

  /** The same commands the wall clock's timers send, at the timer's due time instead of now. */
  private fire(due: DueTimer, metadata: EventMetadata): Promise<TimerFired<string>> {
    if ('invoiceId' in due) return this.commands.execute(new IssueInvoice(due.invoiceId, metadata, due.dueAt));
    const { subscriptionId, timer, dueAt } = due;
    if (timer.kind === 'renewal') return this.commands.execute(new RenewSubscription(subscriptionId, timer.termEnd!, metadata, dueAt));
    if (timer.kind === 'billing-cycle') return this.commands.execute(new StartBillingCycle(subscriptionId, timer.cycleStart!, metadata, dueAt));
    if (timer.kind === 'suspension-grace') return this.commands.execute(new ExpireSuspension(subscriptionId, timer.operationId!, metadata, dueAt));
    return this.commands.execute(new AcceptUnansweredOperation(subscriptionId, timer.operationId!, metadata, dueAt));
  }

  private firingMetadata(request: EventMetadata, startedEventId: string): EventMetadata {
    return { ...request, actor: 'test-clock', role: 'system', source: 'System', causationId: startedEventId };
  }
}

function latest(positions: readonly (GlobalPosition | null)[]): GlobalPosition | null {
  return positions.reduce<GlobalPosition | null>((max, p) => (p !== null && (max === null || comparePositions(p, max) > 0) ? p : max), null);
}
