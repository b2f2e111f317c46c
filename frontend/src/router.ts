import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { setUnauthenticatedHandler } from '@/api/client'
import { useSession } from '@/stores/session'
import { adminRoutes } from '@/admin/routes'

// Each page is its own lazy chunk; the layout is shared by every signed-in page.
const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/auth/LoginPage.vue'), meta: { public: true } },
  // The customer's pages: no sign-in, no workspace layout (their chunks hold no agent page).
  {
    path: '/f/:slug', name: 'public-form', component: () => import('@/public/PublicFormPage.vue'),
    props: (route) => ({ slug: String(route.params.slug) }), meta: { public: true, anonymous: true },
  },
  {
    path: '/t/:token', name: 'tracking', component: () => import('@/public/TrackingPage.vue'),
    props: (route) => ({ token: String(route.params.token) }), meta: { public: true, anonymous: true },
  },
  {
    path: '/',
    component: () => import('@/layout/AppLayout.vue'),
    children: [
      // Home: the dashboard for those who watch the numbers (report.view: supervisors, quality,
      // auditors, admins); agents and handlers work from their ticket list (see homeFor below).
      { path: '', name: 'home', component: () => import('@/dashboard/DashboardPage.vue') },
      { path: 'dashboard', name: 'dashboard', component: () => import('@/dashboard/DashboardPage.vue'), meta: { title: 'nav.dashboard' } },
      { path: 'tickets', name: 'tickets', component: () => import('@/tickets/TicketListPage.vue'), meta: { title: 'nav.tickets' } },
      { path: 'tickets/new', name: 'new-ticket', component: () => import('@/tickets/NewTicketPage.vue'), meta: { title: 'newTicket.title' } },
      {
        path: 'tickets/:id(\\d+)', name: 'ticket', component: () => import('@/tickets/TicketDetailPage.vue'),
        props: (route) => ({ id: Number(route.params.id) }), meta: { title: 'ticket.detailTitle' },
      },
      { path: 'inbox', name: 'inbox', component: () => import('@/inbox/InboxPage.vue'), meta: { title: 'nav.inbox' } },
      ...adminRoutes,
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('@/shared/NotFoundPage.vue'), meta: { title: 'errors.pageNotFound' } },
    ],
  },
]

export const router = createRouter({ history: createWebHistory('/'), routes })

/** Where "/" leads a signed-in user. */
export function homeFor(hasPerm: (code: string) => boolean): { name: string } {
  return hasPerm('report.view') ? { name: 'dashboard' } : { name: 'tickets' }
}

router.beforeEach(async (to) => {
  // The customer's pages never ask who is signed in (no /me round trip on a phone).
  if (to.meta.anonymous) return true
  const session = useSession()
  try {
    await session.ensureLoaded()
  } catch {
    // The server could not be asked; let the page show the error rather than a blank redirect loop.
    return true
  }
  if (to.meta.public) return to.name === 'login' && session.isAuthenticated ? homeFor(session.hasPerm) : true
  if (!session.isAuthenticated) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  if (to.name === 'home') return homeFor(session.hasPerm)
  return true
})

setUnauthenticatedHandler(() => {
  const session = useSession()
  if (!session.isAuthenticated) return
  session.forget()
  const current = router.currentRoute.value
  if (!current.meta.public) void router.replace({ name: 'login', query: { next: current.fullPath, expired: '1' } })
})
