import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { OrderErrors, orderStream, purchasesOf, type OrderCommand } from '@mfh/domain';
import { orderDecider } from '@mfh/domain/deciders';
import { derivedId, EventStore, loadState } from '@mfh/event-store';
import { CommandExecutor } from '../../command-executor';
import { PurchaseSubscription } from '../../subscriptions/purchase-subscription/purchase-subscription.command';
import { CompleteOrder, CompleteOrderResult } from './complete-order.command';

@CommandHandler(CompleteOrder)
export class CompleteOrderHandler implements ICommandHandler<CompleteOrder> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly store: EventStore,
    private readonly commands: CommandBus,
  ) {}

  async execute({ orderId, metadata, known }: CompleteOrder): Promise<CompleteOrderResult> {
    const state = known ?? (await loadState(this.store, orderStream(orderId), orderDecider)).state;
    if (state.status === 'none') throw OrderErrors.notFound();
    if (state.status === 'completed') return { order: state, completedNow: false };
    // One subscription at a time, in line order: a crash leaves a prefix bought, which a re-run completes.
    for (const purchase of purchasesOf(state)) await this.commands.execute(new PurchaseSubscription(purchase.data, metadata));
    const completed = await this.executor.execute({
      stream: orderStream(orderId),
      decider: orderDecider,
      commands: (_state, now): OrderCommand => ({ type: 'CompleteOrder', data: { now } }),
      metadata,
      eventId: (index) => derivedId(orderId, 'complete', index),
    });
    if (completed.state.status === 'none') throw OrderErrors.notFound();
    return { order: completed.state, completedNow: completed.appended.length > 0 };
  }
}
