/** Every permission the API checks; roles hold subsets of these. */
export const PERMISSIONS = [
  'organizations:read',
  'organizations:write',
  'plants:read',
  'plants:write',
  'areas:read',
  'areas:write',
  'lines:read',
  'lines:write',
  'machines:read',
  'machines:write',
  'materials:read',
  'materials:write',
  'workorders:read',
  'workorders:write',
  'labels:read',
  'labels:write',
  'users:read',
  'users:admin',
  'roles:read',
  'roles:admin',
  'edges:admin',
  'audit:read',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const isPermission = (value: string): value is Permission =>
  (PERMISSIONS as readonly string[]).includes(value);

const MODEL_READ: Permission[] = [
  'organizations:read',
  'plants:read',
  'areas:read',
  'lines:read',
  'machines:read',
];

// Materials are organization-wide master data: only whoever administers the organization writes them.
const PLANNING_READ: Permission[] = ['materials:read', 'workorders:read', 'labels:read'];

/** The built-in roles every organization has; their rows are kept in step with this at start-up. */
export const BUILT_IN_ROLES = {
  org_admin: [...PERMISSIONS],
  plant_supervisor: [
    ...MODEL_READ,
    ...PLANNING_READ,
    'areas:write',
    'lines:write',
    'machines:write',
    'workorders:write',
    'labels:write',
    'users:read',
    'roles:read',
    'edges:admin',
  ],
  quality_engineer: [...MODEL_READ, ...PLANNING_READ, 'users:read', 'roles:read'],
  operator: [...MODEL_READ, ...PLANNING_READ],
  viewer: [...MODEL_READ, ...PLANNING_READ],
} satisfies Record<string, Permission[]>;

export type BuiltInRoleKey = keyof typeof BUILT_IN_ROLES;
