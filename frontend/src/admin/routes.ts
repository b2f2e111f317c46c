/** The administration pages (系统管理), under /settings/ — /admin/ is Django's own admin site. */
import type { RouteRecordRaw } from 'vue-router'

export interface AdminPage {
  name: string
  path: string
  title: string
  /** Shown (and the route allowed) with this permission. */
  perm: string
}

export const ADMIN_PAGES: AdminPage[] = [
  { name: 'admin-users', path: 'settings/users', title: 'admin.nav.users', perm: 'user.manage' },
  { name: 'admin-org', path: 'settings/org', title: 'admin.nav.org', perm: 'user.manage' },
  { name: 'admin-roles', path: 'settings/roles', title: 'admin.nav.roles', perm: 'user.manage' },
  { name: 'admin-field-rights', path: 'settings/field-rights', title: 'admin.nav.fieldRights', perm: 'form.admin' },
  { name: 'admin-categories', path: 'settings/categories', title: 'admin.nav.categories', perm: 'category.manage' },
  { name: 'admin-products', path: 'settings/products', title: 'admin.nav.products', perm: 'product.manage' },
  { name: 'admin-tokens', path: 'settings/tokens', title: 'admin.nav.tokens', perm: 'token.manage' },
  { name: 'admin-audit', path: 'settings/audit', title: 'admin.nav.audit', perm: 'audit.view' },
]

const COMPONENTS: Record<string, () => Promise<unknown>> = {
  'admin-users': () => import('./UsersPage.vue'),
  'admin-org': () => import('./OrgPage.vue'),
  'admin-roles': () => import('./RolesPage.vue'),
  'admin-field-rights': () => import('./FieldRightsPage.vue'),
  'admin-categories': () => import('./CategoriesPage.vue'),
  'admin-products': () => import('./ProductsPage.vue'),
  'admin-tokens': () => import('./TokensPage.vue'),
  'admin-audit': () => import('./AuditPage.vue'),
}

/** Children of the signed-in layout. */
export const adminRoutes: RouteRecordRaw[] = [
  { path: 'settings', redirect: { name: 'admin-users' } },
  ...ADMIN_PAGES.map((p) => ({
    path: p.path, name: p.name, component: COMPONENTS[p.name]!, meta: { title: p.title, perm: p.perm },
  }) as RouteRecordRaw),
]

/** Tokens alone (every handler may keep their own) do not make someone an administrator. */
export function visibleAdminPages(hasPerm: (code: string) => boolean): AdminPage[] {
  const pages = ADMIN_PAGES.filter((p) => hasPerm(p.perm))
  return pages.some((p) => p.perm !== 'token.manage') ? pages : []
}
