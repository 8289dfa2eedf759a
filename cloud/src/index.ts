export { type Cloud, type CloudIdentityOptions, type CloudOptions, createCloud } from './cloud.ts';
export { type CloudConfig, loadCloudConfig } from './config.ts';
export type {
  CreatedOrganization,
  CreateOrganizationInput,
} from './modules/organizations/organizations.service.ts';
