export * from './secret-store';
export * from './signing-keys.service';
export * from './keys.module';
