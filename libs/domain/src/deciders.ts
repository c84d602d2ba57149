/**
 * The deciders: what may refuse a command or change its outcome. Only use-case handlers (and tests)
 * import this entrance; apps send commands instead (dependency-cruiser's apps-never-decide).
 */
export { decideAll } from './decider';
export { customerDecider } from './customer/customer.decider';
export { orderDecider } from './order/order.decider';
export { decideSubscription, subscriptionDecider } from './subscription/subscription.decider';
export { testClockDecider } from './test-clock/test-clock.decider';
export { invoiceDecider } from './invoice/invoice.decider';
