import { createAppServices, type AppServices } from '../shared/app/appServices';

let services: AppServices | undefined;

/**
 * The instance's services, built on first use from `process.env` (the app settings). A missing or
 * malformed setting fails the first invocation with the setting's name.
 */
export function appServices(): AppServices {
  services ??= createAppServices(process.env);
  return services;
}

/** Replaces the instance's services (the local runner builds them with local credentials). */
export function setAppServices(replacement: AppServices | undefined): void {
  services = replacement;
}
