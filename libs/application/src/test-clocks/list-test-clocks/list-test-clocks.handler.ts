import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Page, TestClocksRepository, TestClockView } from '@mfh/read-models';
import { ListTestClocks } from './list-test-clocks.query';

@QueryHandler(ListTestClocks)
export class ListTestClocksHandler implements IQueryHandler<ListTestClocks> {
  constructor(private readonly clocks: TestClocksRepository) {}

  execute({ page }: ListTestClocks): Promise<Page<TestClockView>> {
    return this.clocks.list(page);
  }
}
