import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config';
import { Catalog, loadCatalog } from './catalog';

/** Makes the validated settings and the catalog injectable everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, catalog: Catalog = loadCatalog(config.CATALOG_FILE)): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: Catalog, useValue: catalog },
      ],
      exports: [AppConfig, Catalog],
    };
  }
}
