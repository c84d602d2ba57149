import { Query } from '@nestjs/cqrs';
import type { Page, PageRequest, TestClockView } from '@mfh/read-models';

/** Every test clock, oldest first (read model). */
export class ListTestClocks extends Query<Page<TestClockView>> {
  constructor(readonly page: PageRequest) {
    super();
  }
}
