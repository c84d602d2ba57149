export * from './secret-store';
export * from './signing-keys.service';
export * from './keys.module';
export * from './activation-codes.service';
