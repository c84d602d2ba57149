import type { Type } from '@nestjs/common';
import { CreateCustomerHandler } from './create-customer/create-customer.handler';
import { GetCustomerHandler } from './get-customer/get-customer.handler';

/** The partner's use cases on customers (ListCustomers has its own list, with the read models). */
export const CUSTOMER_HANDLERS: Type[] = [CreateCustomerHandler, GetCustomerHandler];
