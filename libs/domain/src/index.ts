export type { Command, Decider, DomainEvent } from './decider';
export * from './errors';
export * from './shared/time';
export * from './shared/money';
export * from './shared/text';
export * from './subscription/subscription.events';
export * from './subscription/subscription.commands';
export * from './subscription/subscription.state';
export * from './subscription/subscription.errors';
export * from './subscription/subscription.streams';
export * from './subscription/subscription.timers';
export * from './billing/billing-cycles';
export * from './billing/charge-line';
export * from './billing/rating';
export * from './billing/terms';
export { CustomerErrors, customerStream } from './customer/customer.decider';
export type { ClaimFreeTrials, CreateCustomer, CustomerCommand, CustomerCreated, CustomerEvent, CustomerState, ExistingCustomer, FreeTrialClaimed } from './customer/customer.decider';
export { freeTrialClaims, OrderErrors, orderStream, purchasesOf } from './order/order.decider';
export type {
  CompleteOrder,
  OrderCommand,
  OrderCompleted,
  OrderEvent,
  OrderLineItem,
  OrderLineRequest,
  OrderPlaced,
  OrderPlacedData,
  OrderState,
  PlaceOrder,
  PlacedOrder,
} from './order/order.decider';
export { MAX_ADVANCE_YEARS, TestClockErrors, testClockIdOf, testClockStream, testClockTimeOf } from './test-clock/test-clock.decider';
export type {
  AdvanceTestClock,
  CompleteTestClockAdvance,
  CreateTestClock,
  ExistingTestClock,
  ReachTestClockTime,
  TestClockAdvanceStarted,
  TestClockAdvanced,
  TestClockCommand,
  TestClockCreated,
  TestClockEvent,
  TestClockState,
  TestClockTimeReached,
} from './test-clock/test-clock.decider';
export { InvoiceErrors, RECENT_LINE_IDS, invoiceCloseDueAt, invoiceIdOf, invoiceIdOfStream, invoiceStream, monthOf, monthOfInvoice, nextMonth, periodDatesOf } from './invoice/invoice.decider';
export type {
  BillingPeriodKey,
  ChargeLineDescription,
  ChargeRecorded,
  InvoiceCommand,
  InvoiceEvent,
  InvoiceIssued,
  InvoiceLine,
  InvoiceState,
  IssueInvoice,
  RecordCharges,
} from './invoice/invoice.decider';
