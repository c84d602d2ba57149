import { DomainError } from '@mfh/domain';

/** What the partner's invoice calls refuse (SPEC §12). */
export const InvoiceQueryErrors = {
  notFound: () => new DomainError('invoice-not-found', 'not-found', 'There is no issued invoice of this partner with that id.'),
  reconciliationNotFound: () => new DomainError('reconciliation-not-found', 'not-found', 'There is no reconciliation export of this partner with that id.'),
  fileNotFound: (files: number) =>
    new DomainError('reconciliation-file-not-found', 'not-found', `The export has ${files} file${files === 1 ? '' : 's'}, numbered from 1.`, { files }),
  unknownCurrency: (currency: string, known: readonly string[]) =>
    new DomainError('unknown-currency', 'validation', `currencycode ${currency} is not one this marketplace sells in (${known.join(', ')}).`, {}, 'currencycode'),
};
