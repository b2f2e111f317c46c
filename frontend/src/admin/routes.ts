/** The administration pages (系统管理), under /settings/ — /admin/ is Django's own admin site. */
import type { RouteRecordRaw } from 'vue-router'

export interface AdminPage {
  name: string
  path: string
  title: string
  /** Shown (and the route allowed) with this permission. */
  perm: string
  /** 'config' pages (the designers and editors: forms, processes, rules, SLA …) sit in the 配置中心 submenu,
   * the others in 系统管理. */
  group?: 'config'
  /** Not in the menu: a page opened from another one (a designer of one object). */
  hidden?: boolean
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
  { name: 'admin-forms', path: 'settings/forms', title: 'admin.nav.forms', perm: 'form.admin', group: 'config' },
  { name: 'admin-form-designer', path: 'settings/forms/:id(\\d+)', title: 'admin.nav.forms', perm: 'form.admin', group: 'config', hidden: true },
  { name: 'admin-processes', path: 'settings/processes', title: 'admin.nav.processes', perm: 'process.admin', group: 'config' },
  { name: 'admin-rules', path: 'settings/rules', title: 'admin.nav.rules', perm: 'rule.admin', group: 'config' },
  { name: 'config-sla', path: 'settings/sla', title: 'slaAdmin.nav.policies', perm: 'rule.admin', group: 'config' },
  { name: 'config-calendars', path: 'settings/calendars', title: 'slaAdmin.nav.calendars', perm: 'rule.admin', group: 'config' },
  { name: 'config-alert-rules', path: 'settings/alert-rules', title: 'alertRules.nav', perm: 'rule.admin', group: 'config' },
  { name: 'admin-notifications', path: 'settings/notifications', title: 'admin.nav.notifications', perm: 'notification.admin', group: 'config' },
  { name: 'admin-config', path: 'settings/config', title: 'admin.nav.configBundles', perm: 'config.manage', group: 'config' },
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
  'admin-forms': () => import('@/formdesigner/FormsPage.vue'),
  'admin-form-designer': () => import('@/formdesigner/DesignerPage.vue'),
  'admin-processes': () => import('@/processdesigner/ProcessesPage.vue'),
  'admin-rules': () => import('@/rules/RulesPage.vue'),
  'config-sla': () => import('@/sla/SlaPoliciesPage.vue'),
  'config-calendars': () => import('@/sla/CalendarsPage.vue'),
  'config-alert-rules': () => import('@/alerts/AlertRulesPage.vue'),
  'admin-notifications': () => import('@/notifications/NotificationsPage.vue'),
  'admin-config': () => import('@/bundles/ConfigBundlesPage.vue'),
}

/** Children of the signed-in layout. */
export const adminRoutes: RouteRecordRaw[] = [
  { path: 'settings', redirect: { name: 'admin-users' } },
  ...ADMIN_PAGES.map((p) => ({
    path: p.path, name: p.name, component: COMPONENTS[p.name]!, meta: { title: p.title, perm: p.perm },
  }) as RouteRecordRaw),
]

/** The 系统管理 pages the user may open. Tokens alone (every handler may keep their own) do not make someone an
 * administrator. */
export function visibleAdminPages(hasPerm: (code: string) => boolean): AdminPage[] {
  const pages = ADMIN_PAGES.filter((p) => !p.group && !p.hidden && hasPerm(p.perm))
  return pages.some((p) => p.perm !== 'token.manage') ? pages : []
}

/** The 配置中心 pages (designers and editors) the user may open. */
export function visibleConfigPages(hasPerm: (code: string) => boolean): AdminPage[] {
  return ADMIN_PAGES.filter((p) => p.group === 'config' && !p.hidden && hasPerm(p.perm))
}
