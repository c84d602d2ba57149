import { derivedId } from '@mfh/event-store';
import { callbackDeduplicationId, callbackJobId } from './queues';

describe('derivedId', () => {
  it('is uuid v5 of the parts joined by "/" in the system namespace, stable across releases (ids already stored depend on it)', () => {
    expect(derivedId('callback', 'fabrikam', 'msg_1')).toBe('5ebe1350-5501-5131-ba8d-1f42d0aebbc1');
    expect(callbackDeduplicationId('fabrikam', 'msg_1')).toBe('5ebe1350-5501-5131-ba8d-1f42d0aebbc1');
    expect(callbackJobId('fabrikam', 'msg_1', '{}')).toBe(derivedId('callback', 'fabrikam', 'msg_1', 'RBNvo1WzZ4oRRq0W9-hknpT7T8If536DEMBg9hyq_4o'));
    expect(callbackJobId('fabrikam', 'msg_1', '{}')).not.toBe(callbackJobId('fabrikam', 'msg_1', '{ }'));
    expect(derivedId('order', 1, 'x')).not.toBe(derivedId('order', 1, 'y'));
  });
});
