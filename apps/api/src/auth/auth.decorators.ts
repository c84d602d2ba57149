import { SetMetadata } from '@nestjs/common';
import type { Role } from '@mfh/config';

export const PUBLIC_ROUTE = 'mfh:public';
export const ALLOWED_ROLES = 'mfh:roles';

/** No bearer token needed (token, health, metrics, docs, JWKS, signed callbacks). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Only these roles may call the route; everyone else gets 403. */
export const Roles = (...roles: Role[]) => SetMetadata(ALLOWED_ROLES, roles);
