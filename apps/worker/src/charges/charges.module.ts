import { Module } from '@nestjs/common';
import { registeredConsumer } from '../projections/log-consumers';
import { ChargesConsumer } from './charges.consumer';

/** Every amount a partner owes or is credited, as charge events on the billing periods' invoices (SPEC §12). */
@Module({ providers: [ChargesConsumer, registeredConsumer(ChargesConsumer)] })
export class ChargesModule {}
